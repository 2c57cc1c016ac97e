/**
 * Bilinear resizing, the two ways torchvision's `Resize` does it (torchvision 0.14 with
 * PyTorch 1.13, the versions the book uses):
 *
 * * An image (a PIL image there, a `RawImage` here) goes through PIL's `Image.resize(size,
 *   BILINEAR)`: a separable convolution with the triangle filter widened by the scale factor when
 *   shrinking, so every source pixel contributes (antialiasing). PIL computes the weights in double
 *   precision, rounds them to 22-bit fixed point and accumulates integers, one pass per axis
 *   (horizontal first); `resizeImage` repeats that arithmetic, so the bytes equal PIL's.
 * * A tensor goes through `torch.nn.functional.interpolate(mode="bilinear", align_corners=False,
 *   antialias=False)`: each output pixel samples the 2×2 nearest input pixels at
 *   src = (dst + 0.5)·in/out - 0.5 (clamped at 0), so shrinking by a large factor skips pixels
 *   (aliasing), exactly as torchvision does for tensors. `interpolateBilinear` repeats ATen's
 *   float32 arithmetic, so the values are bit for bit PyTorch's.
 *
 * The output size follows torchvision: `[h, w]` is exact; a single number sets the shorter side and
 * scales the longer one to `trunc(size · long / short)`.
 */
import type { RawImage } from "./image.js";

/** torchvision's `_compute_resized_output_size`: the [height, width] to resize to. */
export function resizedOutputSize(height: number, width: number, size: number | readonly number[]): [number, number] {
  if (typeof size !== "number") {
    if (size.length === 2) return [size[0], size[1]];
    size = size[0];
  }
  const [short, long] = width <= height ? [width, height] : [height, width];
  const newLong = Math.trunc((size * long) / short);
  return width <= height ? [newLong, size] : [size, newLong];
}

// ---- PIL: Resample.c, BILINEAR, 8 bits per channel --------------------------------------------

const PRECISION_BITS = 32 - 8 - 2;

/** PIL's triangle filter ("bilinear"), support 1. */
function triangle(x: number): number {
  x = Math.abs(x);
  return x < 1 ? 1 - x : 0;
}

interface Coefficients {
  /** first input index and number of inputs, per output index */
  bounds: Int32Array;
  /** fixed-point weights, `kernelSize` per output index */
  weights: Int32Array;
  kernelSize: number;
}

/** PIL's `precompute_coeffs` + `normalize_coeffs_8bpc` for resizing one axis from inSize to outSize. */
function precomputeCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const kernelSize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * kernelSize);
  const k = new Float64Array(kernelSize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const inverseScale = 1 / filterScale;
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const count = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < count; x++) {
      k[x] = triangle((x + xmin - center + 0.5) * inverseScale);
      total += k[x];
    }
    for (let x = 0; x < count; x++) {
      const w = total !== 0 ? k[x] / total : k[x];
      weights[xx * kernelSize + x] = Math.trunc(
        w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS),
      );
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = count;
  }
  return { bounds, weights, kernelSize };
}

/** PIL's `clip8`: the fixed-point sum back to a byte. */
function clip8(sum: number): number {
  if (sum >= 1 << (PRECISION_BITS + 8)) return 255;
  if (sum <= 0) return 0;
  return sum >> PRECISION_BITS;
}

/** Resizes an 8-bit image to height × width as PIL's `resize((width, height), Image.BILINEAR)`. */
export function resizeImage(image: RawImage, height: number, width: number): RawImage {
  checkSize(height, width);
  const { channels } = image;
  let current: RawImage = image;
  if (width !== image.width) {
    const { bounds, weights, kernelSize } = precomputeCoefficients(image.width, width);
    const out = new Uint8Array(image.height * width * channels);
    const src = image.data;
    for (let y = 0; y < image.height; y++) {
      const rowIn = y * image.width * channels;
      const rowOut = y * width * channels;
      for (let xx = 0; xx < width; xx++) {
        const xmin = bounds[2 * xx];
        const count = bounds[2 * xx + 1];
        for (let c = 0; c < channels; c++) {
          let sum = 1 << (PRECISION_BITS - 1);
          for (let x = 0; x < count; x++) sum += src[rowIn + (xmin + x) * channels + c] * weights[xx * kernelSize + x];
          out[rowOut + xx * channels + c] = clip8(sum);
        }
      }
    }
    current = { width, height: image.height, channels, data: out };
  }
  if (height !== image.height) {
    const { bounds, weights, kernelSize } = precomputeCoefficients(image.height, height);
    const out = new Uint8Array(height * width * channels);
    const src = current.data;
    const rowSize = width * channels;
    for (let yy = 0; yy < height; yy++) {
      const ymin = bounds[2 * yy];
      const count = bounds[2 * yy + 1];
      for (let i = 0; i < rowSize; i++) {
        let sum = 1 << (PRECISION_BITS - 1);
        for (let y = 0; y < count; y++) sum += src[(ymin + y) * rowSize + i] * weights[yy * kernelSize + y];
        out[yy * rowSize + i] = clip8(sum);
      }
    }
    current = { width, height, channels, data: out };
  }
  return current === image ? { ...image, data: image.data.slice() } : current;
}

// ---- ATen: upsample_bilinear2d on the CPU, align_corners=False ---------------------------------

const fround = Math.fround;

interface AxisWeights {
  index0: Int32Array;
  index1: Int32Array;
  lambda0: Float64Array;
  lambda1: Float64Array;
}

/**
 * ATen's `compute_source_index_and_lambda` for every output index: the scale in/out is a float,
 * the source position scale·(i + 0.5) - 0.5 (clamped at 0) is computed in double (ATen's CPU
 * accumulate type for float), and the two weights are stored in the tensor's type.
 */
function linearAxisWeights(inSize: number, outSize: number, float32: boolean): AxisWeights {
  const r = float32 ? fround : (x: number) => x;
  const axis: AxisWeights = {
    index0: new Int32Array(outSize),
    index1: new Int32Array(outSize),
    lambda0: new Float64Array(outSize),
    lambda1: new Float64Array(outSize),
  };
  const scale = r(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    if (inSize === outSize) {
      axis.index0[i] = axis.index1[i] = i;
      axis.lambda0[i] = 1;
      continue;
    }
    const real = Math.max(scale * (i + 0.5) - 0.5, 0);
    const i0 = Math.trunc(real);
    axis.index0[i] = i0;
    axis.index1[i] = i0 < inSize - 1 ? i0 + 1 : i0;
    const lambda1 = r(real - i0);
    axis.lambda1[i] = lambda1;
    axis.lambda0[i] = r(1 - lambda1);
  }
  return axis;
}

/**
 * Bilinear interpolation of the last two dimensions of `values` ([planes, inH, inW], row-major)
 * to outH × outW, as `F.interpolate(x, (outH, outW), mode="bilinear", align_corners=False)` on the
 * CPU. For float32 the result is bit for bit ATen's, which has two kernels that round differently:
 * * the generic kernel (the usual NCHW tensor): along the width t = w0·a + w1·b, then along the
 *   height h0·t + h1·u, where the compiled code fuses the first product into the addition
 *   (one rounding: `fmaFloat32(w0, a, w1·b)`);
 * * the channels-last kernel, which ATen takes when the tensor is also channels-last contiguous,
 *   i.e. one channel or a 1×1 input (`channelsLast`): four float weights h·w, the weighted sum
 *   accumulated in double and rounded once.
 * For float64 both are computed in double (equal to ATen's within an ulp).
 */
export function interpolateBilinear(
  values: ArrayLike<number>,
  planes: number,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  options: { float32: boolean; channelsLast: boolean },
): Float64Array {
  checkSize(outH, outW);
  const { float32, channelsLast } = options;
  const r = float32 ? fround : (x: number) => x;
  const rows = linearAxisWeights(inH, outH, float32);
  const cols = linearAxisWeights(inW, outW, float32);
  const out = new Float64Array(planes * outH * outW);
  let at = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * inH * inW;
    for (let y = 0; y < outH; y++) {
      const row0 = plane + rows.index0[y] * inW;
      const row1 = plane + rows.index1[y] * inW;
      const h0 = rows.lambda0[y];
      const h1 = rows.lambda1[y];
      for (let x = 0; x < outW; x++) {
        const c0 = cols.index0[x];
        const c1 = cols.index1[x];
        const w0 = cols.lambda0[x];
        const w1 = cols.lambda1[x];
        const [a, b, c, d] = [values[row0 + c0], values[row0 + c1], values[row1 + c0], values[row1 + c1]];
        if (!float32) {
          out[at++] = h0 * (w0 * a + w1 * b) + h1 * (w0 * c + w1 * d);
        } else if (channelsLast) {
          out[at++] = fround(r(h0 * w0) * a + r(h0 * w1) * b + r(h1 * w0) * c + r(h1 * w1) * d);
        } else {
          const top = fmaFloat32(w0, a, r(w1 * b));
          const bottom = fmaFloat32(w0, c, r(w1 * d));
          out[at++] = fmaFloat32(h0, top, r(h1 * bottom));
        }
      }
    }
  }
  return out;
}

/**
 * a·b + c rounded once to float32, for float32 a, b, c. The product is exact in a double, so the
 * double sum is off only by its own rounding error e (TwoSum gives e exactly); rounding that sum
 * to float32 can differ from rounding the exact value only when the sum lies exactly halfway
 * between two floats, and then the sign of e decides.
 */
function fmaFloat32(a: number, b: number, c: number): number {
  const product = a * b;
  const sum = product + c;
  const rounded = fround(sum);
  if (rounded === sum) return rounded;
  const other = 2 * sum - rounded;
  if (fround(other) !== other) return rounded; // not a halfway case
  const productPart = sum - c;
  const error = c - (sum - productPart) + (product - productPart);
  if (error === 0) return rounded; // an exact tie: fround already rounded it to even
  return error > 0 ? Math.max(rounded, other) : Math.min(rounded, other);
}

function checkSize(height: number, width: number): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new RangeError(`Resize: the output size must be positive integers, got ${height}×${width}`);
  }
}
