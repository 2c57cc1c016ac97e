/**
 * 2-D convolution and max pooling.
 *
 * Convolution is im2col + matrix product (the tinygrad way): every k×k patch of the input becomes
 * one column, so the convolution is W[outC, inC·k·k] · cols[inC·k·k, outH·outW] per image.
 *   forward   y[n]  = W · cols[n]
 *   ∂L/∂W     = Σ_n ∂L/∂y[n] · cols[n]ᵀ
 *   ∂L/∂x[n]  = col2im(Wᵀ · ∂L/∂y[n])      (col2im adds each column entry back to its pixel)
 */
import { record } from "../autograd.js";
import type { Window2d } from "../backend/backend.js";
import { isFloating } from "../dtype.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { assertSameBackend } from "./elementwise.js";
import { reshape } from "./movement.js";
import { sum } from "./reduce.js";

export type Pair = number | readonly [number, number];

export function pair(value: Pair, name: string): [number, number] {
  const [p, q] = typeof value === "number" ? [value, value] : value;
  if (!Number.isInteger(p) || !Number.isInteger(q) || p < 0 || q < 0) {
    throw new RangeError(`${name} must be a non-negative integer or a pair of them, got ${JSON.stringify(value)}`);
  }
  return [p, q];
}

/** The sliding-window geometry, with PyTorch's output size ⌊(H + 2p - k) / s⌋ + 1. */
function windowOf(
  x: Tensor,
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
  what: string,
): Window2d {
  const [batch, channels, height, width] = x.shape;
  const outH = Math.floor((height + 2 * padding[0] - kernel[0]) / stride[0]) + 1;
  const outW = Math.floor((width + 2 * padding[1] - kernel[1]) / stride[1]) + 1;
  if (outH <= 0 || outW <= 0) {
    throw new RangeError(
      `${what}: input of shape ${formatShape(x.shape)} (padded by ${padding.join("x")}) is smaller than the kernel ${kernel.join("x")}`,
    );
  }
  return {
    batch,
    channels,
    height,
    width,
    kernelH: kernel[0],
    kernelW: kernel[1],
    strideH: stride[0],
    strideW: stride[1],
    padH: padding[0],
    padW: padding[1],
    outH,
    outW,
  };
}

/** Accepts [C, H, W] as one image, as PyTorch does, by adding and removing a batch dimension. */
function batched(x: Tensor, what: string, run: (x4: Tensor) => Tensor): Tensor {
  if (x.ndim === 3) {
    const y = run(reshape(x, [1, ...x.shape]));
    return reshape(y, y.shape.slice(1));
  }
  if (x.ndim !== 4)
    throw new RangeError(
      `${what}: expected a 3-D or 4-D input [batch, channels, height, width], got shape ${formatShape(x.shape)}`,
    );
  return run(x);
}

/** Cross-correlation of x [N, C, H, W] with weight [O, C, kh, kw], plus bias [O]. */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  options: { stride?: Pair; padding?: Pair } = {},
): Tensor {
  const stride = pair(options.stride ?? 1, "stride");
  const padding = pair(options.padding ?? 0, "padding");
  if (stride[0] === 0 || stride[1] === 0)
    throw new RangeError(`conv2d: stride should be positive, got ${JSON.stringify(options.stride)}`);
  if (weight.ndim !== 4)
    throw new RangeError(
      `conv2d: weight must be 4-D [outChannels, inChannels, kH, kW], got shape ${formatShape(weight.shape)}`,
    );
  return batched(x, "conv2d", (x4) => conv2dBatched(x4, weight, bias, stride, padding));
}

function conv2dBatched(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  stride: [number, number],
  padding: [number, number],
): Tensor {
  assertSameBackend(x, weight);
  if (!isFloating(x.dtype) || x.dtype !== weight.dtype) {
    throw new TypeError(
      `conv2d: input (${x.dtype}) and weight (${weight.dtype}) must have the same floating point dtype`,
    );
  }
  if (x.shape[1] !== weight.shape[1]) {
    throw new RangeError(
      `Given groups=1, weight of size ${formatShape(weight.shape)}, expected input${formatShape(x.shape)} to have ${weight.shape[1]} channels, but got ${x.shape[1]} channels instead`,
    );
  }
  const [outChannels, , kh, kw] = weight.shape;
  const w = windowOf(x, [kh, kw], stride, padding, "conv2d");
  const patch = w.channels * kh * kw;
  const positions = w.outH * w.outW;
  const backend = x.backend;

  const cols = Tensor.uninitialized([w.batch, patch, positions], x.dtype, backend);
  backend.im2col(cols.storage, x.storage, w);
  const y = Tensor.uninitialized([w.batch, outChannels, w.outH, w.outW], x.dtype, backend);
  // weight viewed as [O, C·kh·kw], shared by every image (batch stride 0)
  backend.matmul(
    y.storage,
    weight.storage,
    cols.storage,
    w.batch,
    outChannels,
    patch,
    positions,
    0,
    patch * positions,
    false,
    false,
  );

  const out = record(
    y,
    "conv2d",
    [x, weight],
    (g) => {
      let gradX: Tensor | null = null;
      if (x.requiresGrad) {
        const gradCols = Tensor.uninitialized([w.batch, patch, positions], g.dtype, backend);
        backend.matmul(
          gradCols.storage,
          weight.storage,
          g.storage,
          w.batch,
          patch,
          outChannels,
          positions,
          0,
          outChannels * positions,
          true,
          false,
        );
        gradX = Tensor.uninitialized(x.shape, g.dtype, backend);
        backend.col2im(gradX.storage, gradCols.storage, w);
      }
      let gradW: Tensor | null = null;
      if (weight.requiresGrad) {
        const perImage = Tensor.uninitialized([w.batch, outChannels, patch], g.dtype, backend);
        backend.matmul(
          perImage.storage,
          g.storage,
          cols.storage,
          w.batch,
          outChannels,
          positions,
          patch,
          outChannels * positions,
          patch * positions,
          false,
          true,
        );
        gradW = reshape(sum(perImage, 0), weight.shape);
      }
      return [gradX, gradW];
    },
    [x, weight],
  );
  return bias ? out.add(reshape(bias, [1, outChannels, 1, 1])) : out;
}

/** Max over k×k windows; the gradient flows to the (first) largest element of each window. */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: { stride?: Pair | null; padding?: Pair } = {}): Tensor {
  return batched(x, "maxPool2d", (x4) => {
    const kernel = pair(kernelSize, "kernelSize");
    const stride = pair(options.stride ?? kernelSize, "stride");
    const padding = pair(options.padding ?? 0, "padding");
    if (kernel[0] === 0 || kernel[1] === 0 || stride[0] === 0 || stride[1] === 0) {
      throw new RangeError(
        `maxPool2d: kernelSize and stride must be positive, got ${JSON.stringify(kernelSize)} and ${JSON.stringify(options.stride)}`,
      );
    }
    if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
      throw new RangeError(
        `maxPool2d: pad should be at most half of the kernel size, but got pad=${padding.join("x")} and kernel_size=${kernel.join("x")}`,
      );
    }
    const w = windowOf(x4, kernel, stride, padding, "maxPool2d");
    const backend = x4.backend;
    const out = Tensor.uninitialized([w.batch, w.channels, w.outH, w.outW], x4.dtype, backend);
    const indices = Tensor.uninitialized(out.shape, "int32", backend);
    backend.maxPool2d(out.storage, indices.storage, x4.storage, w);
    return record(out, "maxPool2d", [x4], (g) => {
      const gradX = Tensor.uninitialized(x4.shape, g.dtype, backend);
      backend.maxPool2dBackward(gradX.storage, g.storage, indices.storage, w);
      return [gradX];
    });
  });
}
