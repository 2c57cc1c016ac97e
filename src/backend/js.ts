/**
 * The reference backend: every primitive of `backend.ts` as the plain loop that defines it.
 *
 * Storage is an ordinary typed array. Float32 results round on every store (typed arrays do that);
 * where one kernel chains several operations (addcdiv, lerp, ...), `round` rounds each intermediate
 * to the storage's precision, so this backend computes exactly what a float32 machine would.
 * Matrix products (and so conv2d, im2col + matmul) round every product and every partial sum as
 * well: accumulating in float64 would turn products that overflow float32 into a finite sum, or
 * into ±∞ where float32 arithmetic (the WebAssembly kernels, PyTorch) meets ∞ − ∞ = NaN.
 * Reductions accumulate in float64 and round once.
 *
 * int64 and bool storages are Int32Arrays and compute exactly as int32 (see dtype.ts); the only
 * kernels that look at the difference are those that convert to bool (`x != 0`).
 */
import { allocTypedArray, type DType, normalized, roundToDType, storageDType, type TypedArray } from "../dtype.js";
import type {
  AdamStepScalars,
  Backend,
  BinaryOp,
  ReduceOp,
  RmspropStepScalars,
  SgdStepScalars,
  Storage,
  UnaryOp,
  Window2d,
} from "./backend.js";

class JsStorage implements Storage {
  constructor(
    readonly data: TypedArray,
    readonly dtype: DType,
  ) {}
  get length(): number {
    return this.data.length;
  }
}

const dataOf = (s: Storage): TypedArray => (s as JsStorage).data;

const identity = (x: number): number => x;
const toInt32 = (x: number): number => x | 0;
const isIntStorage = (dtype: DType): boolean => storageDType(dtype) === "int32";
/** Products as `dtype` forms them: int32 wraps like C (Math.imul), floats multiply exactly then round. */
function multiplierFor(dtype: DType): (a: number, b: number) => number {
  return isIntStorage(dtype) ? Math.imul : (a, b) => a * b;
}

/** The rounding every intermediate result of a fused kernel gets in `dtype`. */
function rounderFor(dtype: DType): (x: number) => number {
  if (dtype === "float32") return Math.fround;
  if (isIntStorage(dtype)) return toInt32;
  return identity;
}

const unaryFunctions: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  // (0 < x) − (x < 0), as PyTorch computes it: ±0 and NaN give 0
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => (x > 0 ? x : x === 0 || x < 0 ? 0 : x),
};

const binaryFunctions: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  // NaN propagates; otherwise std::max / std::min as PyTorch's CPU kernels use them (ties keep a)
  maximum: (a, b) => (a !== a || b !== b ? NaN : a < b ? b : a),
  minimum: (a, b) => (a !== a || b !== b ? NaN : b < a ? b : a),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

/** Calls `visit(outIndex, aIndex, bIndex)` for every index of `shape` in row-major order. */
function forEachIndex(
  shape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
  visit: (o: number, ia: number, ib: number) => void,
): void {
  const ndim = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const counter = new Array<number>(ndim).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < total; o++) {
    visit(o, ia, ib);
    // advance the odometer: bump the last dimension, carrying into earlier ones
    for (let d = ndim - 1; d >= 0; d--) {
      counter[d]++;
      ia += aStrides[d];
      ib += bStrides[d];
      if (counter[d] < shape[d]) break;
      ia -= aStrides[d] * shape[d];
      ib -= bStrides[d] * shape[d];
      counter[d] = 0;
    }
  }
}

function isDense(strides: readonly number[], shape: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

const isAllZero = (strides: readonly number[]): boolean => strides.every((s) => s === 0);

export class JsBackend implements Backend {
  readonly name = "js" as const;

  alloc(dtype: DType, length: number): Storage {
    return new JsStorage(allocTypedArray(dtype, length), dtype);
  }

  /** Typed arrays always start zeroed, so this is `alloc`: skipping the fill saves nothing here. */
  allocUninitialized(dtype: DType, length: number): Storage {
    return this.alloc(dtype, length);
  }

  fromArray(dtype: DType, given: ArrayLike<number>): Storage {
    const values = normalized(dtype, given);
    const data = allocTypedArray(dtype, values.length);
    for (let i = 0; i < values.length; i++) data[i] = values[i];
    return new JsStorage(data, dtype);
  }

  read(s: Storage): TypedArray {
    return dataOf(s).slice();
  }

  write(s: Storage, given: ArrayLike<number>): void {
    const data = dataOf(s);
    const values = normalized(s.dtype, given);
    if (values.length !== data.length) {
      throw new RangeError(`write: storage holds ${data.length} elements but ${values.length} were given`);
    }
    for (let i = 0; i < values.length; i++) data[i] = values[i];
  }

  free(_s: Storage): void {
    // typed arrays are reclaimed by the garbage collector
  }

  fill(out: Storage, value: number): void {
    dataOf(out).fill(roundToDType(out.dtype, value));
  }

  cast(out: Storage, a: Storage): void {
    const o = dataOf(out);
    const x = dataOf(a);
    // bool is x != 0 (NaN is true); int32 conversion truncates toward zero, as a C cast (and
    // PyTorch's .int()) does
    if (out.dtype === "bool" && a.dtype !== "bool") for (let i = 0; i < x.length; i++) o[i] = x[i] !== 0 ? 1 : 0;
    else if (isIntStorage(out.dtype)) for (let i = 0; i < x.length; i++) o[i] = Math.trunc(x[i]);
    else for (let i = 0; i < x.length; i++) o[i] = x[i];
  }

  copyStrided(
    out: Storage,
    outOffset: number,
    outStrides: readonly number[],
    a: Storage,
    aOffset: number,
    aStrides: readonly number[],
    shape: readonly number[],
  ): void {
    const o = dataOf(out);
    const x = dataOf(a);
    // forEachIndex walks two strided index streams; here they are out's and a's
    forEachIndex(shape, outStrides, aStrides, (_i, io, ia) => {
      o[outOffset + io] = x[aOffset + ia];
    });
  }

  unary(op: UnaryOp, out: Storage, a: Storage): void {
    const o = dataOf(out);
    const x = dataOf(a);
    const f = unaryFunctions[op];
    for (let i = 0; i < x.length; i++) o[i] = f(x[i]);
  }

  binary(
    op: BinaryOp,
    out: Storage,
    a: Storage,
    aStrides: readonly number[],
    b: Storage,
    bStrides: readonly number[],
    shape: readonly number[],
  ): void {
    const o = dataOf(out);
    const x = dataOf(a);
    const y = dataOf(b);
    const f = !isIntStorage(out.dtype)
      ? binaryFunctions[op]
      : op === "div"
        ? (p: number, q: number) => Math.trunc(p / q)
        : op === "mul"
          ? Math.imul
          : binaryFunctions[op];
    const n = o.length;
    // The common cases get a flat loop; the general case walks the broadcast strides.
    const aDense = isDense(aStrides, shape);
    const bDense = isDense(bStrides, shape);
    if (aDense && bDense) for (let i = 0; i < n; i++) o[i] = f(x[i], y[i]);
    else if (aDense && isAllZero(bStrides)) for (let i = 0, s = y[0]; i < n; i++) o[i] = f(x[i], s);
    else if (isAllZero(aStrides) && bDense) for (let i = 0, s = x[0]; i < n; i++) o[i] = f(s, y[i]);
    else forEachIndex(shape, aStrides, bStrides, (i, ia, ib) => (o[i] = f(x[ia], y[ib])));
  }

  addScaled(out: Storage, a: Storage, b: Storage, alpha: number): void {
    const [o, x, y] = [dataOf(out), dataOf(a), dataOf(b)];
    const [r, m] = [rounderFor(out.dtype), multiplierFor(out.dtype)];
    const s = r(alpha);
    for (let i = 0; i < o.length; i++) o[i] = x[i] + r(m(s, y[i]));
  }

  addcmul(out: Storage, a: Storage, t1: Storage, t2: Storage, value: number): void {
    const [o, x, p, q] = [dataOf(out), dataOf(a), dataOf(t1), dataOf(t2)];
    const [r, m] = [rounderFor(out.dtype), multiplierFor(out.dtype)];
    const v = r(value);
    for (let i = 0; i < o.length; i++) o[i] = x[i] + r(m(v, r(m(p[i], q[i]))));
  }

  addcdiv(out: Storage, a: Storage, t1: Storage, t2: Storage, value: number): void {
    const [o, x, p, q] = [dataOf(out), dataOf(a), dataOf(t1), dataOf(t2)];
    const r = rounderFor(out.dtype);
    const v = r(value);
    for (let i = 0; i < o.length; i++) o[i] = x[i] + r(v * r(p[i] / q[i]));
  }

  lerp(out: Storage, a: Storage, b: Storage, weight: number): void {
    const [o, x, y] = [dataOf(out), dataOf(a), dataOf(b)];
    const [r, m] = [rounderFor(out.dtype), multiplierFor(out.dtype)];
    const w = r(weight);
    for (let i = 0; i < o.length; i++) o[i] = x[i] + r(m(w, r(y[i] - x[i])));
  }

  clamp(out: Storage, a: Storage, lo: number, hi: number): void {
    const [o, x] = [dataOf(out), dataOf(a)];
    for (let i = 0; i < o.length; i++) {
      const v = x[i];
      o[i] = v < lo ? lo : v > hi ? hi : v;
    }
  }

  where(out: Storage, cond: Storage, a: Storage, b: Storage): void {
    const [o, c, x, y] = [dataOf(out), dataOf(cond), dataOf(a), dataOf(b)];
    for (let i = 0; i < o.length; i++) o[i] = c[i] !== 0 ? x[i] : y[i];
  }

  reduce(op: ReduceOp, out: Storage, a: Storage, outer: number, size: number, inner: number): void {
    const o = dataOf(out);
    const x = dataOf(a);
    for (let p = 0; p < outer; p++) {
      for (let i = 0; i < inner; i++) {
        const base = p * size * inner + i;
        o[p * inner + i] = reduceLine(op, x, base, size, inner);
      }
    }
  }

  matmul(
    out: Storage,
    a: Storage,
    b: Storage,
    batch: number,
    m: number,
    k: number,
    n: number,
    aBatchStride: number,
    bBatchStride: number,
    transA: boolean,
    transB: boolean,
  ): void {
    const [o, x, y] = [dataOf(out), dataOf(a), dataOf(b)];
    // element (i, p) of op(A) and (p, j) of op(B), as strides into the stored matrices
    const [aRow, aCol] = transA ? [1, m] : [k, 1];
    const [bRow, bCol] = transB ? [1, k] : [n, 1];
    const isInt = isIntStorage(out.dtype); // int32 products wrap like C, as the WebAssembly kernels do
    const r = rounderFor(out.dtype); // float32: round each product and each partial sum
    for (let q = 0; q < batch; q++) {
      const aBase = q * aBatchStride;
      const bBase = q * bBatchStride;
      const oBase = q * m * n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          if (isInt)
            for (let p = 0; p < k; p++)
              acc = (acc + Math.imul(x[aBase + i * aRow + p * aCol], y[bBase + p * bRow + j * bCol])) | 0;
          else
            for (let p = 0; p < k; p++)
              acc = r(acc + r(x[aBase + i * aRow + p * aCol] * y[bBase + p * bRow + j * bCol]));
          o[oBase + i * n + j] = acc;
        }
      }
    }
  }

  im2col(cols: Storage, x: Storage, w: Window2d): void {
    const [c, img] = [dataOf(cols), dataOf(x)];
    const L = w.outH * w.outW;
    let row = 0;
    for (let b = 0; b < w.batch; b++) {
      for (let ch = 0; ch < w.channels; ch++) {
        const plane = (b * w.channels + ch) * w.height * w.width;
        for (let ky = 0; ky < w.kernelH; ky++) {
          for (let kx = 0; kx < w.kernelW; kx++, row++) {
            for (let oy = 0; oy < w.outH; oy++) {
              const y = oy * w.strideH - w.padH + ky;
              for (let ox = 0; ox < w.outW; ox++) {
                const xx = ox * w.strideW - w.padW + kx;
                const inside = y >= 0 && y < w.height && xx >= 0 && xx < w.width;
                c[row * L + oy * w.outW + ox] = inside ? img[plane + y * w.width + xx] : 0;
              }
            }
          }
        }
      }
    }
  }

  col2im(out: Storage, cols: Storage, w: Window2d): void {
    const [img, c] = [dataOf(out), dataOf(cols)];
    img.fill(0);
    const L = w.outH * w.outW;
    let row = 0;
    for (let b = 0; b < w.batch; b++) {
      for (let ch = 0; ch < w.channels; ch++) {
        const plane = (b * w.channels + ch) * w.height * w.width;
        for (let ky = 0; ky < w.kernelH; ky++) {
          for (let kx = 0; kx < w.kernelW; kx++, row++) {
            for (let oy = 0; oy < w.outH; oy++) {
              const y = oy * w.strideH - w.padH + ky;
              if (y < 0 || y >= w.height) continue;
              for (let ox = 0; ox < w.outW; ox++) {
                const xx = ox * w.strideW - w.padW + kx;
                if (xx < 0 || xx >= w.width) continue;
                img[plane + y * w.width + xx] += c[row * L + oy * w.outW + ox];
              }
            }
          }
        }
      }
    }
  }

  maxPool2d(out: Storage, indices: Storage, x: Storage, w: Window2d): void {
    const [o, idx, img] = [dataOf(out), dataOf(indices), dataOf(x)];
    const planes = w.batch * w.channels;
    for (let p = 0; p < planes; p++) {
      const plane = p * w.height * w.width;
      for (let oy = 0; oy < w.outH; oy++) {
        for (let ox = 0; ox < w.outW; ox++) {
          let best = -Infinity;
          let bestAt = -1;
          for (let ky = 0; ky < w.kernelH; ky++) {
            const y = oy * w.strideH - w.padH + ky;
            if (y < 0 || y >= w.height) continue;
            for (let kx = 0; kx < w.kernelW; kx++) {
              const xx = ox * w.strideW - w.padW + kx;
              if (xx < 0 || xx >= w.width) continue;
              const v = img[plane + y * w.width + xx];
              // NaN wins and stays (PyTorch propagates NaN through max pooling)
              if (v > best || v !== v || bestAt < 0) {
                best = v;
                bestAt = y * w.width + xx;
                if (v !== v) break;
              }
            }
            if (best !== best) break;
          }
          const at = (p * w.outH + oy) * w.outW + ox;
          o[at] = best;
          idx[at] = bestAt;
        }
      }
    }
  }

  maxPool2dBackward(gradX: Storage, gradOut: Storage, indices: Storage, w: Window2d): void {
    const [gx, go, idx] = [dataOf(gradX), dataOf(gradOut), dataOf(indices)];
    gx.fill(0);
    const planes = w.batch * w.channels;
    const perPlane = w.outH * w.outW;
    for (let p = 0; p < planes; p++) {
      for (let j = 0; j < perPlane; j++) {
        const at = p * perPlane + j;
        gx[p * w.height * w.width + idx[at]] += go[at];
      }
    }
  }

  gatherRows(out: Storage, src: Storage, idx: Storage, rowSize: number): void {
    const [o, s, ix] = [dataOf(out), dataOf(src), dataOf(idx)];
    for (let r = 0; r < ix.length; r++) {
      const from = ix[r] * rowSize;
      for (let j = 0; j < rowSize; j++) o[r * rowSize + j] = s[from + j];
    }
  }

  scatterAddRows(out: Storage, src: Storage, idx: Storage, rowSize: number): void {
    const [o, s, ix] = [dataOf(out), dataOf(src), dataOf(idx)];
    for (let r = 0; r < ix.length; r++) {
      const to = ix[r] * rowSize;
      for (let j = 0; j < rowSize; j++) o[to + j] += s[r * rowSize + j];
    }
  }

  wrapIndices(out: Storage, idx: Storage, size: number, negative: boolean, error: (value: number) => Error): void {
    const [o, ix] = [dataOf(out), dataOf(idx)];
    const lo = negative ? -size : 0;
    for (let r = 0; r < ix.length; r++) if (!(ix[r] >= lo && ix[r] < size)) throw error(ix[r]);
    for (let r = 0; r < ix.length; r++) o[r] = ix[r] < 0 ? ix[r] + size : ix[r];
  }

  // ---- fused optimizer steps: the optimizers' in-place op sequences, one element at a time -------
  // `r` rounds each intermediate as the unfused op stores it; each scalar is rounded where the
  // unfused op rounds it (1 − β is formed in float64 first, as the optimizer computes it).

  sgdStep(param: Storage, grad: Storage, momentumBuffer: Storage | null, s: SgdStepScalars): void {
    const [p, gr, b] = [dataOf(param), dataOf(grad), momentumBuffer === null ? null : dataOf(momentumBuffer)];
    const r = rounderFor(param.dtype);
    const [wd, mu, keep, negLr] = [r(s.weightDecay), r(s.momentum), r(1 - s.dampening), r(-s.lr)];
    for (let i = 0; i < p.length; i++) {
      let g = s.maximize ? -gr[i] : gr[i];
      if (s.weightDecay !== 0) g = r(g + r(p[i] * wd)); // grad.add(param, λ)
      if (b !== null) {
        const bi = s.firstStep ? g : r(r(b[i] * mu) + r(keep * g)); // buffer.mul_(μ).add_(g, 1 − τ)
        b[i] = bi;
        g = s.nesterov ? r(g + r(bi * mu)) : bi; // grad.add(buffer, μ)
      }
      p[i] = r(p[i] + r(negLr * g)); // param.add_(g, −γ)
    }
  }

  adamStep(
    param: Storage,
    grad: Storage,
    expAvg: Storage,
    expAvgSq: Storage,
    maxExpAvgSq: Storage | null,
    s: AdamStepScalars,
  ): void {
    const [p, gr, m, v] = [dataOf(param), dataOf(grad), dataOf(expAvg), dataOf(expAvgSq)];
    const vmax = maxExpAvgSq === null ? null : dataOf(maxExpAvgSq);
    const r = rounderFor(param.dtype);
    const [b1, keep1, b2, keep2] = [r(s.beta1), r(1 - s.beta1), r(s.beta2), r(1 - s.beta2)];
    let [bc2, negStep] = [r(s.biasCorrection2Sqrt), r(-s.stepSize)];
    if (s.step) {
      // the float32 tensor ops of the capturable step, from t's current value
      const f = Math.fround;
      const t = dataOf(s.step)[0];
      const biasCorrection1 = f(1 - f(Math.pow(f(s.beta1), t)));
      const biasCorrection2 = f(1 - f(Math.pow(f(s.beta2), t)));
      [bc2, negStep] = [f(Math.sqrt(biasCorrection2)), -f(f(s.lr) / biasCorrection1)];
    }
    const [wd, decay, eps] = [r(s.weightDecay), r(1 - s.lr * s.weightDecay), r(s.eps)];
    const l2 = !s.decoupledWeightDecay && s.weightDecay !== 0;
    for (let i = 0; i < p.length; i++) {
      let g = s.maximize ? -gr[i] : gr[i];
      let theta = p[i];
      if (s.decoupledWeightDecay)
        theta = r(theta * decay); // param.mul_(1 − γλ)
      else if (l2) g = r(g + r(theta * wd)); // grad.add(param, λ)
      const mi = r(r(m[i] * b1) + r(keep1 * g)); // expAvg.mul_(β₁).add_(g, 1 − β₁)
      const vi = r(r(v[i] * b2) + r(keep2 * r(g * g))); // expAvgSq.mul_(β₂).addcmul_(g, g, 1 − β₂)
      m[i] = mi;
      v[i] = vi;
      let second = vi;
      if (vmax !== null) {
        const a = vmax[i]; // maxExpAvgSq.maximum_(expAvgSq)
        second = a !== a || vi !== vi ? NaN : a < vi ? vi : a;
        vmax[i] = second;
      }
      const denom = r(r(r(Math.sqrt(second)) / bc2) + eps); // v.sqrt().div_(√(1 − β₂ᵗ)).add_(ε)
      p[i] = r(theta + r(negStep * r(mi / denom))); // param.addcdiv_(m, denom, −stepSize)
    }
  }

  rmspropStep(
    param: Storage,
    grad: Storage,
    squareAvg: Storage,
    gradAvg: Storage | null,
    momentumBuffer: Storage | null,
    s: RmspropStepScalars,
  ): void {
    const [p, gr, v] = [dataOf(param), dataOf(grad), dataOf(squareAvg)];
    const ga = gradAvg === null ? null : dataOf(gradAvg);
    const b = momentumBuffer === null ? null : dataOf(momentumBuffer);
    const r = rounderFor(param.dtype);
    const [wd, alpha, keep, eps, mu, negLr] = [
      r(s.weightDecay),
      r(s.alpha),
      r(1 - s.alpha),
      r(s.eps),
      r(s.momentum),
      r(-s.lr),
    ];
    for (let i = 0; i < p.length; i++) {
      let g = s.maximize ? -gr[i] : gr[i];
      if (s.weightDecay !== 0) g = r(g + r(p[i] * wd)); // grad.add(param, λ)
      const vi = r(r(v[i] * alpha) + r(keep * r(g * g))); // squareAvg.mul_(α).addcmul_(g, g, 1 − α)
      v[i] = vi;
      let avg: number;
      if (ga !== null) {
        const gi = r(r(ga[i] * alpha) + r(keep * g)); // gradAvg.mul_(α).add_(g, 1 − α)
        ga[i] = gi;
        avg = r(Math.sqrt(r(vi - r(gi * gi)))); // squareAvg.clone().addcmul_(g̅, g̅, −1).sqrt_()
      } else {
        avg = r(Math.sqrt(vi));
      }
      avg = r(avg + eps); // avg.add_(ε)
      if (b !== null) {
        const bi = r(r(b[i] * mu) + r(g / avg)); // buffer.mul_(μ).addcdiv_(g, avg)
        b[i] = bi;
        p[i] = r(p[i] + r(negLr * bi)); // param.add_(buffer, −γ)
      } else {
        p[i] = r(p[i] + r(negLr * r(g / avg))); // param.addcdiv_(g, avg, −γ)
      }
    }
  }
}

/** One reduction over `size` elements starting at `base`, `step` apart. */
function reduceLine(op: ReduceOp, x: TypedArray, base: number, size: number, step: number): number {
  if (op === "sum") {
    let acc = 0;
    for (let k = 0; k < size; k++) acc += x[base + k * step];
    return acc;
  }
  // max/min/argmax/argmin: the first extreme wins; a NaN is the extreme (PyTorch propagates it)
  const wantMax = op === "max" || op === "argmax";
  let best = x[base];
  let bestAt = 0;
  for (let k = 1; k < size && best === best; k++) {
    const v = x[base + k * step];
    if (v !== v || (wantMax ? v > best : v < best)) {
      best = v;
      bestAt = k;
    }
  }
  return op === "argmax" || op === "argmin" ? bestAt : best;
}
