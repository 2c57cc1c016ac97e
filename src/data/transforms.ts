/**
 * Image transforms with torchvision's names and arithmetic: `Compose`, `ToTensor`, `Normalize`,
 * `Resize`. A transform is an object with `call(input)` (as `nn.Module`s are called with
 * `call(x)`); anywhere a transform is accepted, a plain function works too.
 *
 * The pipeline of the book, `Compose([Resize(28), ToTensor(), Normalize(...)])`, works on the
 * `RawImage` the PNG decoder returns (the PIL image of torchvision) until `ToTensor` turns it into a
 * CHW float tensor in [0, 1]; `Resize` accepts either and resizes each the way torchvision does
 * (PIL's antialiased bilinear for images, ATen's bilinear without antialias for tensors: see
 * resize.ts).
 */
import { fromValues } from "../creation.js";
import { isFloating } from "../dtype.js";
import { checkOptions } from "../options.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { assertRawImage, describe, type RawImage } from "./image.js";
import { interpolateBilinear, resizedOutputSize, resizeImage } from "./resize.js";

/** Something that maps an input to an output with `call`, like torchvision's callable transforms. */
export interface Transform<In = any, Out = any> {
  call(input: In): Out;
}

/** A transform object or a plain function. */
export type TransformLike<In = any, Out = any> = Transform<In, Out> | ((input: In) => Out);

/** What a transform (object or function) returns. */
export type TransformOutput<T> = T extends (input: any) => infer O
  ? O
  : T extends Transform<any, infer O>
    ? O
    : unknown;

type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : T[number];

/** Applies a transform object or function. */
export function applyTransform<In, Out>(transform: TransformLike<In, Out>, input: In): Out {
  return typeof transform === "function" ? transform(input) : transform.call(input);
}

/** Chains transforms: `new Compose([a, b, c]).call(x)` is `c(b(a(x)))`. */
export class Compose<const Ts extends readonly TransformLike[] = TransformLike[]> implements Transform<
  any,
  TransformOutput<Last<Ts>>
> {
  readonly transforms: Ts;

  constructor(transforms: Ts) {
    if (!Array.isArray(transforms)) throw new TypeError("Compose expects an array of transforms");
    transforms.forEach((t, i) => {
      if (
        typeof t !== "function" &&
        (t === null || typeof t !== "object" || typeof (t as Transform).call !== "function")
      ) {
        throw new TypeError(
          `Compose: entry ${i} is not a transform (an object with call(input) or a function), got ${describe(t)}`,
        );
      }
    });
    this.transforms = transforms;
  }

  call(input: any): TransformOutput<Last<Ts>> {
    let value = input;
    for (const t of this.transforms) value = applyTransform(t, value);
    return value;
  }

  toString(): string {
    return `Compose(\n${this.transforms.map((t) => `    ${typeof t === "function" ? t.name || "<function>" : String(t)}`).join("\n")}\n)`;
  }
}

/** byte / 255 in float32 for every byte, as torchvision's `img.float().div(255)`. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/**
 * An HWC 8-bit image to a CHW float32 tensor with values in [0, 1] (byte / 255), as torchvision's
 * `ToTensor` does for a PIL image. A tensor passes through unchanged (so `ToTensor` may follow a
 * transform that already produced one).
 */
export class ToTensor implements Transform<RawImage | Tensor, Tensor> {
  call(pic: RawImage | Tensor): Tensor {
    if (pic instanceof Tensor) return pic;
    assertRawImage(pic, "ToTensor");
    const { width, height, channels, data } = pic;
    const plane = width * height;
    const values = new Float32Array(channels * plane);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) values[c * plane + p] = BYTE_TO_UNIT[data[p * channels + c]];
    }
    return fromValues(values, [channels, height, width]);
  }

  toString(): string {
    return "ToTensor()";
  }
}

export interface NormalizeOptions {
  /** per-channel means (one value applies to every channel) */
  mean: readonly number[] | number;
  /** per-channel standard deviations, none zero */
  std: readonly number[] | number;
}

/**
 * Standardises each channel of a float tensor image (..., C, H, W): (x - mean[c]) / std[c], as
 * torchvision's `Normalize` (`tensor.sub(mean).div(std)` in the tensor's precision). Returns a new
 * tensor; the input is not modified.
 */
export class Normalize implements Transform<Tensor, Tensor> {
  readonly mean: readonly number[];
  readonly std: readonly number[];

  constructor(options: NormalizeOptions) {
    checkOptions("Normalize", options, ["mean", "std"], ["mean", "std"]);
    const mean = typeof options.mean === "number" ? [options.mean] : [...options.mean];
    const std = typeof options.std === "number" ? [options.std] : [...options.std];
    if (mean.length === 0 || std.length === 0) throw new RangeError("Normalize: mean and std need at least one value");
    if (mean.length !== std.length && mean.length !== 1 && std.length !== 1) {
      throw new RangeError(`Normalize: mean has ${mean.length} values but std has ${std.length}; give one per channel`);
    }
    if ([...mean, ...std].some((v) => typeof v !== "number" || !Number.isFinite(v))) {
      throw new TypeError(
        `Normalize: mean and std must be finite numbers, got mean ${JSON.stringify(mean)}, std ${JSON.stringify(std)}`,
      );
    }
    if (std.some((s) => Math.fround(s) === 0)) {
      throw new RangeError(
        "Normalize: std evaluated to zero after conversion to float32, leading to division by zero.",
      );
    }
    this.mean = mean;
    this.std = std;
  }

  call(image: Tensor): Tensor {
    if (!(image instanceof Tensor)) {
      throw new TypeError(`Normalize expects a tensor (apply ToTensor first), got ${describe(image)}`);
    }
    if (!isFloating(image.dtype))
      throw new TypeError(`Normalize: input tensor should be a float tensor, got ${image.dtype}`);
    if (image.ndim < 3) {
      throw new RangeError(
        `Normalize: expected a tensor image of shape (..., C, H, W), got shape ${formatShape(image.shape)}`,
      );
    }
    const channels = image.shape[image.ndim - 3];
    for (const [name, values] of [
      ["mean", this.mean],
      ["std", this.std],
    ] as const) {
      if (values.length !== 1 && values.length !== channels) {
        throw new RangeError(
          `Normalize: ${name} has ${values.length} values but the image has ${channels} channels ` +
            `(shape ${formatShape(image.shape)}, channels at dimension -3)`,
        );
      }
    }
    const column = (values: readonly number[]) =>
      fromValues(values, [values.length, 1, 1], { dtype: image.dtype, backend: image.backend });
    return image.sub(column(this.mean)).div(column(this.std));
  }

  toString(): string {
    return `Normalize(mean=${JSON.stringify(this.mean)}, std=${JSON.stringify(this.std)})`;
  }
}

/**
 * Resizes to `size` with bilinear interpolation, as torchvision's `Resize(size)`:
 * `[h, w]` gives exactly that size; one number sets the shorter side, keeping the aspect ratio
 * (the longer side becomes trunc(size · long / short)).
 *
 * * A `RawImage` is resized as PIL's `Image.resize(..., BILINEAR)`, antialiased, byte for byte
 *   (torchvision on a PIL image).
 * * A float tensor (..., H, W) is resized as `F.interpolate(mode="bilinear", align_corners=False)`
 *   without antialiasing (torchvision 0.14 on a tensor, its default `antialias=None`). The result
 *   is a new tensor that autograd does not track.
 * An image that already has the requested size comes back unchanged, as in torchvision.
 */
export class Resize implements Transform<RawImage | Tensor, RawImage | Tensor> {
  readonly size: number | readonly [number] | readonly [number, number];

  constructor(size: number | readonly [number] | readonly [number, number]) {
    const sizes = typeof size === "number" ? [size] : Array.isArray(size) ? size : null;
    if (sizes === null || sizes.length < 1 || sizes.length > 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new RangeError(`Resize: size must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
    }
    this.size = typeof size === "number" ? size : size.length === 1 ? [size[0]] : [size[0], size[1]];
  }

  call(image: RawImage): RawImage;
  call(image: Tensor): Tensor;
  call(image: RawImage | Tensor): RawImage | Tensor;
  call(image: RawImage | Tensor): RawImage | Tensor {
    if (image instanceof Tensor) return this.resizeTensor(image);
    assertRawImage(image, "Resize");
    const [height, width] = resizedOutputSize(image.height, image.width, this.size);
    if (height === image.height && width === image.width) return image;
    return resizeImage(image, height, width);
  }

  private resizeTensor(image: Tensor): Tensor {
    if (!isFloating(image.dtype)) {
      throw new TypeError(
        `Resize: a tensor must be float32 or float64 (use ToTensor on the image), got ${image.dtype}`,
      );
    }
    if (image.ndim < 2)
      throw new RangeError(`Resize: expected a tensor of shape (..., H, W), got shape ${formatShape(image.shape)}`);
    const inH = image.shape[image.ndim - 2];
    const inW = image.shape[image.ndim - 1];
    const [height, width] = resizedOutputSize(inH, inW, this.size);
    if (height === inH && width === inW) return image;
    const lead = image.shape.slice(0, -2);
    const planes = lead.reduce((n, d) => n * d, 1);
    // ATen switches kernels when an NCHW tensor is also channels-last contiguous (see resize.ts).
    const channels = image.ndim >= 3 ? image.shape[image.ndim - 3] : 1;
    const channelsLast = channels === 1 || (inH === 1 && inW === 1);
    const values = interpolateBilinear(image.toArray(), planes, inH, inW, height, width, {
      float32: image.dtype === "float32",
      channelsLast,
    });
    return fromValues(values, [...lead, height, width], { dtype: image.dtype, backend: image.backend });
  }

  toString(): string {
    return `Resize(size=${JSON.stringify(this.size)}, interpolation=bilinear)`;
  }
}
