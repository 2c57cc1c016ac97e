/**
 * Shared test helpers: closeness with documented tolerances, finite-difference gradient checks,
 * and running a suite once per available backend.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import { Tensor, noGrad, setBackend, getBackend, tensor, type BackendName } from "../src/index.js";

/** Backends the suites run on: every one that loads in this runtime. */
export const BACKENDS: BackendName[] = ["js", ...((await canUse("wasm")) ? (["wasm"] as const) : [])];

async function canUse(name: BackendName): Promise<boolean> {
  const before = getBackend();
  try {
    await setBackend(name);
    return true;
  } catch {
    return false;
  } finally {
    await setBackend(before);
  }
}

/** `describe` once per backend, with that backend active for the suite. */
export function describeEachBackend(title: string, body: (backend: BackendName) => void): void {
  for (const name of BACKENDS) {
    describe(`${title} [${name}]`, () => {
      let previous: BackendName;
      beforeAll(async () => {
        previous = getBackend();
        await setBackend(name);
      });
      afterAll(async () => {
        await setBackend(previous);
      });
      body(name);
    });
  }
}

/** Flat numbers of a tensor, nested array or number. */
export function flat(x: Tensor | ArrayLike<number> | number | unknown[]): number[] {
  if (x instanceof Tensor) return Array.from(x.toArray());
  if (typeof x === "number") return [x];
  if (Array.isArray(x)) return (x as unknown[]).flat(Infinity as 1) as number[];
  return Array.from(x as ArrayLike<number>);
}

/**
 * Asserts |actual - expected| ≤ atol + rtol·|expected| elementwise (NaN matches NaN), reporting the
 * worst element. Shapes must agree when both sides are tensors.
 */
export function expectClose(
  actual: Tensor | ArrayLike<number> | number | unknown[],
  expected: Tensor | ArrayLike<number> | number | unknown[],
  { rtol = 1e-5, atol = 1e-6, what = "" }: { rtol?: number; atol?: number; what?: string } = {},
): void {
  if (actual instanceof Tensor && expected instanceof Tensor)
    expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length, `${what} length`).toBe(e.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(e[i]) && Number.isNaN(a[i])) continue;
    if (a[i] === e[i]) continue;
    const excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what} element ${worst}: got ${a[worst]}, expected ${e[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

/**
 * Finite-difference gradient check in float64. `fn` maps the inputs to a tensor; the check
 * differentiates L = Σ fn(inputs) · w for a fixed random weighting w (so every output element
 * matters), comparing autograd's ∂L/∂input with central differences (L(x+h) - L(x-h)) / 2h.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  { h = 1e-6, rtol = 1e-5, atol = 1e-7 }: { h?: number; rtol?: number; atol?: number } = {},
): void {
  for (const x of inputs) expect(x.dtype, "gradcheck inputs must be float64").toBe("float64");
  const probe = noGrad(() => fn(...inputs));
  const weights = tensor(
    Array.from({ length: probe.numel() }, (_, i) => Math.sin(1.7 * i + 0.3) + 0.5),
    { dtype: "float64" },
  ).reshape(probe.shape.length ? [...probe.shape] : []);
  const loss = () =>
    noGrad(() =>
      fn(...inputs)
        .mul(weights)
        .sum()
        .item(),
    );

  for (const x of inputs) x.grad = null;
  fn(...inputs)
    .mul(weights)
    .sum()
    .backward();

  inputs.forEach((x, n) => {
    if (!x.requiresGrad) return;
    const values = x.toArray() as Float64Array;
    const numeric = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const original = values[i];
      values[i] = original + h;
      x.backend.write(x.storage, values);
      const up = loss();
      values[i] = original - h;
      x.backend.write(x.storage, values);
      const down = loss();
      values[i] = original;
      x.backend.write(x.storage, values);
      numeric[i] = (up - down) / (2 * h);
    }
    expect(x.grad, `input ${n} got no gradient`).not.toBeNull();
    expectClose(x.grad!, numeric, { rtol, atol, what: `gradient of input ${n}` });
  });
}

/** A float64 leaf tensor of `shape` with varied deterministic values (optionally kept away from 0). */
export function sample(shape: number[], seed = 1, { positive = false, spread = 1 } = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => {
    const v = Math.sin(seed * 12.9898 + i * 78.233) * spread;
    return positive ? Math.abs(v) + 0.5 : v;
  });
  return tensor(values, { dtype: "float64" }).reshape(shape).requiresGrad_(true);
}
