/** Shape arithmetic: sizes, row-major strides, broadcasting and dimension checks. */

export type Shape = readonly number[];

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides: the last dimension varies fastest. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function assertValidShape(shape: unknown, what = "shape"): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${what} must be an array of sizes, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(
        `${what} ${formatShape(shape as number[])} has an invalid size ${String(d)}; sizes are non-negative integers`,
      );
    }
  }
  return shape as number[];
}

/**
 * NumPy/PyTorch broadcasting: align shapes at the right; each pair of sizes must be equal or one
 * of them 1. Throws an error naming both shapes, as PyTorch does.
 */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together: the size of ` +
          `tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read a tensor of `shape` as if it had the (broadcast) shape `target`:
 * a broadcast dimension gets stride 0, so the same element is read again.
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  // one pass and one array: every op calls this twice, and on small tensors it costs more than the kernel
  const offset = target.length - shape.length;
  const strides = new Array<number>(target.length);
  for (let i = 0; i < offset; i++) strides[i] = 0;
  let own = 1; // the contiguous stride of dimension i
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + offset] = shape[i] === 1 && target[i + offset] !== 1 ? 0 : own;
    own *= shape[i];
  }
  return strides;
}

/** Turns a possibly negative dimension into 0..ndim-1, with PyTorch's error when out of range. */
export function normalizeDim(dim: number, ndim: number): number {
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${dim})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/**
 * Splits `shape` around `dim` into (outer, size, inner): the view every reduction kernel works on.
 */
export function splitAt(shape: Shape, dim: number): [outer: number, size: number, inner: number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[dim] ?? 1, inner];
}
