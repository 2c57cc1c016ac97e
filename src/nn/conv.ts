/**
 * Convolution with all of PyTorch's options (stride, padding incl. "same", dilation, groups) and
 * 1-D convolution, composed around the im2col convolution of src/ops/conv.ts:
 * * groups: the channels are split into `groups` independent convolutions whose outputs are
 *   concatenated (weight [outC, inC / groups, kH, kW]);
 * * dilation d: the kernel is spread out with d - 1 zeros between its taps, which is exactly a
 *   dilated convolution; the zero taps get no gradient because the spreading is `put`;
 * * padding "same": pads d·(k - 1) in total per side pair, the odd extra on the right/bottom, as
 *   PyTorch does (stride must be 1);
 * * conv1d is conv2d on [N, C, 1, L].
 */
import { conv2d as conv2dCore, type Pair } from "../ops/conv.js";
import { put } from "../ops/indexing.js";
import { cat } from "../ops/movement.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { pad } from "./functional_extra.js";

export interface ConvOptions {
  stride?: Pair;
  padding?: Pair | "same" | "valid";
  dilation?: Pair;
  groups?: number;
}

const pairOf = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

/** The kernel with (d - 1) zeros between taps: [O, C, kH, kW] → [O, C, d(kH-1)+1, d(kW-1)+1]. */
function dilate(weight: Tensor, [dh, dw]: [number, number]): Tensor {
  if (dh === 1 && dw === 1) return weight;
  const [o, c, kh, kw] = weight.shape;
  const [eh, ew] = [dh * (kh - 1) + 1, dw * (kw - 1) + 1];
  const positions: number[] = [];
  for (let p = 0; p < o * c; p++) {
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) positions.push((p * eh + i * dh) * ew + j * dw);
  }
  return put(weight, positions, [o, c, eh, ew]);
}

/** 2-D convolution of x [N, C, H, W] (or [C, H, W]) with weight [O, C / groups, kH, kW] and bias [O]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  const groups = options.groups ?? 1;
  const dilation = pairOf(options.dilation ?? 1);
  const stride = options.stride ?? 1;
  if (!Number.isInteger(groups) || groups <= 0)
    throw new RangeError(`conv2d: non-positive groups is not supported, got ${groups}`);
  if (dilation.some((d) => !Number.isInteger(d) || d <= 0))
    throw new RangeError(`conv2d: dilation should be greater than zero, got ${JSON.stringify(options.dilation)}`);
  if (weight.ndim !== 4)
    throw new RangeError(
      `conv2d: weight must be 4-D [outChannels, inChannels / groups, kH, kW], got shape ${formatShape(weight.shape)}`,
    );
  const channels = x.shape[x.ndim - 3];
  if (channels !== weight.shape[1] * groups || weight.shape[0] % groups !== 0) {
    throw new RangeError(
      `Given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input${formatShape(x.shape)} to have ${weight.shape[1] * groups} channels, but got ${channels} channels instead`,
    );
  }
  const w = dilate(weight, dilation);
  let padding: Pair = 0;
  let input = x;
  if (options.padding === "same") {
    if (pairOf(stride).some((s) => s !== 1))
      throw new RangeError("padding='same' is not supported for strided convolutions");
    const [th, tw] = [w.shape[2] - 1, w.shape[3] - 1];
    padding = [Math.floor(th / 2), Math.floor(tw / 2)];
    if (th % 2 === 1 || tw % 2 === 1) input = pad(x, [0, tw % 2, 0, th % 2]);
  } else if (options.padding !== "valid" && options.padding !== undefined) {
    padding = options.padding;
  }
  if (groups === 1) return conv2dCore(input, w, bias, { stride, padding });
  const channelDim = input.ndim - 3;
  const perGroupIn = channels / groups;
  const perGroupOut = weight.shape[0] / groups;
  const outputs = Array.from({ length: groups }, (_, g) =>
    conv2dCore(
      input.narrow(channelDim, g * perGroupIn, perGroupIn),
      w.narrow(0, g * perGroupOut, perGroupOut),
      bias ? bias.narrow(0, g * perGroupOut, perGroupOut) : null,
      { stride, padding },
    ),
  );
  return cat(outputs, channelDim);
}

/** 1-D convolution of x [N, C, L] (or [C, L]) with weight [O, C / groups, k]: conv2d on a height of 1. */
export function conv1d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  options: { stride?: number; padding?: number | "same" | "valid"; dilation?: number; groups?: number } = {},
): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new RangeError(
      `conv1d: expected a 2-D or 3-D input [batch, channels, length], got shape ${formatShape(x.shape)}`,
    );
  if (weight.ndim !== 3)
    throw new RangeError(
      `conv1d: weight must be 3-D [outChannels, inChannels / groups, k], got shape ${formatShape(weight.shape)}`,
    );
  const x4 = x.unsqueeze(-2);
  const w4 = weight.unsqueeze(-2);
  const padding = options.padding;
  const y = conv2d(x4, w4, bias, {
    stride: [1, options.stride ?? 1],
    padding: padding === "same" || padding === "valid" ? padding : [0, padding ?? 0],
    dilation: [1, options.dilation ?? 1],
    groups: options.groups ?? 1,
  });
  return y.squeeze(-2);
}
