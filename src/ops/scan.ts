/**
 * Scans and the reductions PyTorch adds to sum/mean/max: cumsum, cumprod, prod, logsumexp, norm,
 * amax/amin, all/any, and the tests isnan/isinf/isfinite. All are compositions of existing
 * differentiable ops, so their gradients (including cumprod's and prod's at zeros, where a
 * "divide the product by the element" formula would fail) come from autograd.
 *
 * A scan is Hillis and Steele's doubling: after step k every element holds the combination of the
 * 2^k elements ending at it, so log2(n) element-wise ops of the whole tensor give the running
 * totals:  y ← y ⊕ shift(y, 2^k)  for 2^k < n.
 * cumsum adds in float64 and rounds once at the end, as PyTorch's CPU kernel accumulates a float32
 * cumsum in double.
 */
import { record } from "../autograd.js";
import { isFloating } from "../dtype.js";
import { normalizeDim } from "../shape.js";
import { Tensor, type TensorLike } from "../tensor.js";
import { abs, add, cast, compare, div, exp, log, mul, pow, sqrt, sub, where } from "./elementwise.js";
import { cat, narrow, reshape } from "./movement.js";
import { extreme, sum } from "./reduce.js";

function scan(a: Tensor, dim: number, combine: (x: Tensor, y: Tensor) => Tensor): Tensor {
  if (a.ndim === 0) return a.clone();
  const d = normalizeDim(dim, a.ndim);
  const n = a.shape[d];
  let y = a;
  for (let k = 1; k < n; k *= 2) {
    y = cat([narrow(y, d, 0, k), combine(narrow(y, d, k, n - k), narrow(y, d, 0, n - k))], d);
  }
  return y;
}

/** Integer and bool tensors accumulate (and return) int64, as in PyTorch. */
const accumulated = (a: Tensor): Tensor => (isFloating(a.dtype) ? a : cast(a, "int64"));

/** Running sums along `dim`: out[i] = a[0] + … + a[i]. */
export function cumsum(a: Tensor, dim: number): Tensor {
  const wide = a.dtype === "float32" ? cast(a, "float64") : accumulated(a);
  return cast(scan(wide, dim, add), a.dtype === "float32" ? "float32" : wide.dtype);
}

/** Running products along `dim`: out[i] = a[0] · … · a[i]. */
export function cumprod(a: Tensor, dim: number): Tensor {
  return scan(accumulated(a), dim, mul);
}

/** Product of all elements, or along `dim`: a pairwise tree of multiplications. */
export function prod(a: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (!isFloating(a.dtype) && a.dtype !== "int64") return prod(accumulated(a), dim, keepdim);
  if (dim === undefined || dim === null) return reshape(prod(reshape(a, [-1]), 0), []);
  const d = normalizeDim(dim, Math.max(a.ndim, 1));
  if (a.ndim === 0) return a.clone();
  let y = a;
  while (y.shape[d] > 1) {
    const n = y.shape[d];
    const half = Math.floor(n / 2);
    const paired = mul(narrow(y, d, 0, half), narrow(y, d, half, half));
    y = n % 2 === 1 ? cat([paired, narrow(y, d, n - 1, 1)], d) : paired;
  }
  if (y.shape[d] === 0) {
    const ones = Tensor.empty(
      y.shape.map((s, i) => (i === d ? 1 : s)),
      a.dtype,
      a.backend,
    );
    ones.fill_(1);
    y = ones;
  }
  return keepdim
    ? y
    : reshape(
        y,
        y.shape.filter((_, i) => i !== d),
      );
}

/** Largest value along `dims` (values only, gradient shared among ties), PyTorch's `amax`. */
export function amax(a: Tensor, dim?: number | null, keepdim = false): Tensor {
  return extreme("max", a, dim, keepdim);
}
export function amin(a: Tensor, dim?: number | null, keepdim = false): Tensor {
  return extreme("min", a, dim, keepdim);
}

/** log Σ exp(a) along `dim`, computed as m + log Σ exp(a - m) with m the (finite) maximum. */
export function logsumexp(a: Tensor, dim: number | number[], keepdim = false): Tensor {
  if (!isFloating(a.dtype)) throw new TypeError(`logsumexp(): expected a floating point tensor, got ${a.dtype}`);
  const dims = typeof dim === "number" ? [dim] : dim;
  let m = a.detach();
  for (const d of [...dims].map((d) => normalizeDim(d, a.ndim)).sort((p, q) => q - p)) m = extreme("max", m, d, true);
  // an infinite maximum (all -inf, or +inf) is not subtracted, as in PyTorch
  const shift = where(compare("eq", abs(m), Infinity), 0, m);
  const total = log(sum(exp(sub(a, shift)), dims, true));
  const out = add(total, shift);
  return keepdim
    ? out
    : reshape(
        out,
        a.shape.filter((_, i) => !dims.map((d) => normalizeDim(d, a.ndim)).includes(i)),
      );
}

/**
 * The p-norm (Σ |a|^p)^(1/p) of all elements or along `dim`; p = Infinity is max |a|. The 2-norm's
 * gradient a / ‖a‖ is taken as 0 where the norm is 0, as PyTorch does.
 */
export function norm(a: Tensor, p: number = 2, dim?: number | number[] | null, keepdim = false): Tensor {
  if (!isFloating(a.dtype)) throw new TypeError(`norm(): input dtype should be floating point, got ${a.dtype}`);
  const dims = dim === undefined || dim === null ? null : dim;
  if (p === Infinity || p === -Infinity) {
    const mag = abs(a);
    if (dims === null)
      return reshape(extreme(p > 0 ? "max" : "min", reshape(mag, [-1]), 0, false), keepdim ? a.shape.map(() => 1) : []);
    return extreme(p > 0 ? "max" : "min", mag, typeof dims === "number" ? dims : dims[0], keepdim);
  }
  if (p === 1) return sum(abs(a), dims, keepdim);
  if (p === 2) {
    const squares = sum(mul(a, a), dims, true);
    const value = sqrt(squares.detach());
    const out = record(value, "norm", [a], (g) => {
      const safe = where(compare("eq", value, 0), Infinity, value);
      return [mul(g, div(a, safe))];
    });
    if (keepdim) return out;
    const reduced =
      dims === null
        ? a.shape.map((_, i) => i)
        : (typeof dims === "number" ? [dims] : dims).map((d) => normalizeDim(d, a.ndim));
    return reshape(
      out,
      a.shape.filter((_, i) => !reduced.includes(i)),
    );
  }
  if (p === 0) return cast(sum(compare("ne", a, 0), dims, keepdim), a.dtype);
  return pow(sum(pow(abs(a), p), dims, keepdim), 1 / p);
}

/**
 * True where every element (along `dim`) is non-zero (bool): no element is zero, so an empty tensor
 * gives True, as in PyTorch.
 */
export function all(a: Tensor, dim?: number | null, keepdim = false): Tensor {
  return compare("eq", sum(compare("eq", a.detach(), 0), dim ?? undefined, keepdim), 0);
}
/** True where some element (along `dim`) is non-zero (bool); False for an empty tensor. */
export function any(a: Tensor, dim?: number | null, keepdim = false): Tensor {
  return compare("gt", sum(compare("ne", a.detach(), 0), dim ?? undefined, keepdim), 0);
}

/** True where NaN (the only value not equal to itself); bool, as every test below. */
export const isnan = (a: Tensor): Tensor => compare("ne", a.detach(), a.detach());
/** True where +Infinity or -Infinity. */
export const isinf = (a: Tensor): Tensor => compare("eq", abs(a.detach()), Infinity);
/** True where finite: a - a is 0 exactly then, NaN for ±Infinity and NaN. */
export const isfinite = (a: Tensor): Tensor => compare("eq", sub(a.detach(), a.detach()), 0);

/**
 * clamp with tensor bounds (broadcasting): min(max(a, lo), hi), where a bound may be a number or
 * null. The gradient goes to whichever of a, lo, hi was chosen (hi wins when lo > hi, as in PyTorch).
 */
export function clampTensor(a: Tensor, lo: TensorLike | null, hi: TensorLike | null): Tensor {
  if (lo === null && hi === null) throw new RangeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  let out = a;
  if (lo !== null) out = where(compare("lt", out, lo), lo, out);
  if (hi !== null) out = where(compare("gt", out, hi), hi, out);
  return out;
}
