/**
 * Sampling from tensors of probabilities, drawing from PyTorch's generator in PyTorch 1.13's order
 * so that the same seed gives the same samples (checked against PyTorch in test/port/random.test.ts):
 *
 * * `multinomial(p, n, { replacement: true })` — PyTorch's CPU kernel: per row, the running sum of
 *   p in p's precision, divided by the total, the last entry forced to 1; then for each sample one
 *   double uniform u (53 bits) and a binary search for the first entry ≥ u.
 * * `multinomial(p, n)` without replacement — PyTorch's "exponential race": q = -log(1 - u) per
 *   element (u double uniforms drawn in row-major order, q rounded to p's dtype), and the samples
 *   are the indices of the n largest p / q (argmax for n = 1). This is Gumbel-top-k sampling.
 * * `bernoulli(p)` — per element one float uniform (24 bits) and 1 when it is below p (as float32).
 * * `uniform_(t)`, `normal_(t)` — fill a tensor in place with the generator's uniform / normal draws,
 *   as `torch.Tensor.uniform_` / `normal_` (and `torch.nn.init`, which re-exports them).
 */
import { noGrad } from "./autograd.js";
import { fromValues } from "./creation.js";
import { type Generator, defaultGenerator } from "./random.js";
import { formatShape } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface MultinomialOptions {
  replacement?: boolean;
  generator?: Generator;
}

/** Samples category indices (int64) from each row of non-negative weights `probs` ([C] or [N, C]). */
export function multinomial(probs: Tensor, numSamples: number, options: MultinomialOptions = {}): Tensor {
  const { replacement = false, generator = defaultGenerator } = options;
  if (probs.ndim !== 1 && probs.ndim !== 2)
    throw new RangeError(`prob_dist must be 1 or 2 dim, got shape ${formatShape(probs.shape)}`);
  if (probs.dtype !== "float32" && probs.dtype !== "float64")
    throw new TypeError(`multinomial only supports floating-point dtypes for input, got ${probs.dtype}`);
  if (!Number.isInteger(numSamples) || numSamples <= 0)
    throw new RangeError(`cannot sample n_sample <= 0 samples, got ${numSamples}`);
  const categories = probs.shape[probs.ndim - 1];
  const rows = probs.ndim === 2 ? probs.shape[0] : 1;
  if (!replacement && numSamples > categories) {
    throw new RangeError(
      `cannot sample n_sample > prob_dist.size(-1) samples without replacement (${numSamples} > ${categories})`,
    );
  }
  const p = probs.toArray();
  const round = probs.dtype === "float32" ? Math.fround : (x: number) => x;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < categories; j++) {
      const v = p[r * categories + j];
      if (!(v >= 0))
        throw new RangeError(`invalid multinomial distribution (encountering probability entry < 0), got ${v}`);
      if (!Number.isFinite(v))
        throw new RangeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
      sum += v;
    }
    if (!(sum > 0)) throw new RangeError("invalid multinomial distribution (sum of probabilities <= 0)");
  }
  const out = new Int32Array(rows * numSamples);
  if (replacement) {
    const cumulative = new Float64Array(categories);
    const u = new Float64Array(1);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < categories; j++) cumulative[j] = sum = round(sum + p[r * categories + j]);
      for (let j = 0; j < categories; j++) cumulative[j] = round(cumulative[j] / sum);
      cumulative[categories - 1] = 1;
      for (let s = 0; s < numSamples; s++) {
        generator.uniform(u);
        let lo = 0;
        let hi = categories;
        while (hi - lo > 0) {
          const mid = lo + Math.floor((hi - lo) / 2);
          if (cumulative[mid] < u[0]) lo = mid + 1;
          else hi = mid;
        }
        out[r * numSamples + s] = lo;
      }
    }
  } else {
    const u = new Float64Array(rows * categories);
    generator.uniform(u);
    for (let r = 0; r < rows; r++) {
      const keys = Array.from({ length: categories }, (_, j) =>
        round(p[r * categories + j] / round(-Math.log1p(-u[r * categories + j]))),
      );
      const order = keys.map((_, j) => j).sort((a, b) => keys[b] - keys[a] || a - b);
      for (let s = 0; s < numSamples; s++) out[r * numSamples + s] = order[s];
    }
  }
  return new Tensor(
    probs.backend.fromArray("int64", out),
    probs.ndim === 2 ? [rows, numSamples] : [numSamples],
    probs.backend,
  );
}

/** 0/1 draws with the per-element probabilities `probs` (same shape and dtype). */
export function bernoulli(probs: Tensor, options: { generator?: Generator } = {}): Tensor {
  const p = probs.toArray();
  const u = new Float32Array(p.length);
  (options.generator ?? defaultGenerator).uniform(u);
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const pi = Math.fround(p[i]);
    if (!(pi >= 0 && pi <= 1)) throw new RangeError(`bernoulli: all probabilities must be in [0, 1], found ${p[i]}`);
    out[i] = u[i] < pi ? 1 : 0;
  }
  return new Tensor(probs.backend.fromArray(probs.dtype, out), probs.shape, probs.backend);
}

/** Fills `t` with U(from, to) drawn as PyTorch's `uniform_` would. */
export function uniform_(t: Tensor, from = 0, to = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.dtype !== "float32" && t.dtype !== "float64") throw new TypeError("uniform_ needs a floating point tensor");
  const values = t.dtype === "float64" ? new Float64Array(t.numel()) : new Float32Array(t.numel());
  generator.uniform(values, from, to);
  return fillWith(t, values);
}

/** Fills `t` with N(mean, std²) drawn as PyTorch's `normal_` would. */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.dtype !== "float32" && t.dtype !== "float64") throw new TypeError("normal_ needs a floating point tensor");
  const values = t.dtype === "float64" ? new Float64Array(t.numel()) : new Float32Array(t.numel());
  generator.normal(values, mean, std);
  return fillWith(t, values);
}

/** Copies the drawn values into `t` in place (not recorded by autograd, as PyTorch's init runs under no_grad). */
function fillWith(t: Tensor, values: Float32Array | Float64Array): Tensor {
  noGrad(() => t.copy_(fromValues(values, t.shape, { dtype: t.dtype, backend: t.backend })));
  return t;
}
