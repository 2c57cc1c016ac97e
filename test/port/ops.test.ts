/**
 * The porting surface's tensor ops against PyTorch 1.13 (fixture: test/golden/port/gen_ops.py):
 * outputs and gradients in float32, then a float64 finite-difference check of every differentiable
 * case, on both backends.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { Tensor, cat, ones, rand, randn, tensor, zeros } from "../../src/index.js";
import { describeEachBackend, expectClose, gradcheck } from "../helpers.js";

type Value = number | string;
interface Stored {
  shape: number[];
  dtype: "float32" | "int64" | "int32" | "bool";
  data: Value[];
}
interface Case {
  name: string;
  op: string;
  args: Record<string, any>;
  inputs: Stored[];
  outputs: Stored[];
  upstream: Stored;
  grads: (Stored | null)[];
}
const fixture = JSON.parse(readFileSync(new URL("../golden/port/ops.json", import.meta.url), "utf8")) as {
  cases: Case[];
};

const num = (v: Value): number => (typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity);
const load = (s: Stored, dtype: "float32" | "float64" = "float32"): Tensor =>
  tensor(s.data.map(num), { dtype: s.dtype === "float32" ? dtype : s.dtype }).reshape(s.shape);
const flatCat = (parts: Tensor[]): Tensor =>
  cat(
    parts.map((p) => p.reshape([-1])),
    0,
  );

/** gradstep's spelling of each case; the first output is the one differentiated. */
const OPS: Record<string, (inputs: Tensor[], a: Record<string, any>) => Tensor | Tensor[]> = {
  select: ([x], a) => x.select(a.dim, a.i),
  get: ([x], a) => x.get(...(a.i as number[])),
  slice: ([x], a) => x.slice(a.dim, a.start, a.end, a.step),
  indexSelect: ([x, i], a) => x.indexSelect(a.dim, i),
  gather: ([x, i], a) => x.gather(a.dim, i),
  scatter: ([x, i, s], a) => x.scatter(a.dim, i, s),
  scatterValue: ([x, i], a) => x.scatter(a.dim, i, a.value),
  scatterAdd: ([x, i, s], a) => x.scatterAdd(a.dim, i, s),
  maskedSelect: ([x, m]) => x.maskedSelect(m),
  maskedFill: ([x, m], a) => x.maskedFill(m, a.value),
  indexMask: ([x], a) => x.index(a.mask as boolean[]),
  take: ([x], a) => x.take(a.index),
  flip: ([x], a) => x.flip(a.dims),
  tril: ([x], a) => x.tril(a.k),
  triu: ([x], a) => x.triu(a.k),
  repeat: ([x], a) => x.repeat(a.sizes),
  split: ([x], a) => flatCat(x.split(a.size, a.dim)),
  chunk: ([x], a) => flatCat(x.chunk(a.chunks, a.dim)),
  T: ([x]) => x.T,
  mT: ([x]) => x.mT,
  softmax: ([x], a) => x.softmax(a.dim),
  logSoftmax: ([x], a) => x.logSoftmax(a.dim),
  cumsum: ([x], a) => x.cumsum(a.dim),
  cumprod: ([x], a) => x.cumprod(a.dim),
  prod: ([x], a) => x.prod(a.dim, a.keepdim ?? false),
  logsumexp: ([x], a) => x.logsumexp(a.dim, a.keepdim ?? false),
  norm: ([x], a) => x.norm(num(a.p), a.dim, a.keepdim ?? false),
  amax: ([x], a) => x.amax(a.dim),
  maxDim: ([x], a) => {
    const r = x.max(a.dim, a.keepdim);
    return [r.values, r.indices];
  },
  minDim: ([x], a) => {
    const r = x.min(a.dim, a.keepdim);
    return [r.values, r.indices];
  },
  sort: ([x], a) => {
    const r = x.sort(a.dim, a.descending);
    return [r.values, r.indices];
  },
  topk: ([x], a) => {
    const r = x.topk(a.k, a.dim, a.largest);
    return [r.values, r.indices];
  },
  clampTensor: ([x, lo, hi]) => x.clamp(lo, hi),
  isnan: ([x]) => x.isnan(),
  isinf: ([x]) => x.isinf(),
  isfinite: ([x]) => x.isfinite(),
  all: ([x], a) => x.all(a.dim),
  any: ([x], a) => x.any(a.dim),
};

const run = (c: Case, inputs: Tensor[]): Tensor[] => {
  const out = OPS[c.op](inputs, c.args);
  return Array.isArray(out) ? out : [out];
};

describeEachBackend("porting ops against PyTorch", () => {
  it("every fixture op has a gradstep spelling", () => {
    for (const c of fixture.cases) expect(OPS[c.op], c.op).toBeDefined();
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const inputs = c.inputs.map((s) => load(s));
      inputs.forEach((t, i) => c.grads[i] && t.requiresGrad_(true));
      const outs = run(c, inputs);
      c.outputs.forEach((expected, i) => {
        expect(outs[i].shape, `output ${i} shape`).toEqual(expected.shape);
        expect(outs[i].dtype, `output ${i} dtype`).toBe(expected.dtype);
        expectClose(outs[i], expected.data.map(num), { what: `output ${i}`, rtol: 1e-6, atol: 1e-6 });
      });
      if (c.grads.length === 0) return;
      outs[0].mul(load(c.upstream)).sum().backward();
      c.grads.forEach((g, i) => {
        if (g === null) return;
        expectClose(inputs[i].grad!, g.data.map(num), { what: `grad of input ${i}`, rtol: 1e-5, atol: 1e-5 });
      });
    });
  }

  for (const c of fixture.cases.filter((c) => c.grads.length > 0)) {
    it(`gradcheck: ${c.name}`, () => {
      const inputs = c.inputs.map((s) => load(s, "float64"));
      const differentiable = inputs.filter((_, i) => c.grads[i]);
      differentiable.forEach((t) => t.requiresGrad_(true));
      // masks and indices stay fixed; only the inputs PyTorch differentiates are perturbed
      gradcheck(
        (...xs) =>
          run(
            c,
            inputs.map((t) => (c.grads[inputs.indexOf(t)] ? xs[differentiable.indexOf(t)] : t)),
          )[0],
        differentiable,
      );
    });
  }

  it("errors name the problem as PyTorch does", () => {
    const x = zeros([2, 3]);
    expect(() => x.select(1, 3)).toThrow(/index 3 is out of bounds for dimension 1 with size 3/);
    expect(() => x.gather(1, ones([2, 2]))).toThrow(/integer index tensor.*float32/);
    expect(() => x.gather(1, tensor([[0, 5]], { dtype: "int32" }))).toThrow(/index 5 is out of bounds/);
    expect(() => x.split([1, 1], 1)).toThrow(/sum exactly to 3/);
    expect(() => x.topk(4)).toThrow(/k \(4\) out of range/);
    expect(() => x.repeat(2)).toThrow(/can not be smaller/);
    expect(() => x.index([[true, false]])).toThrow(/shape of the mask \[1, 2\]/);
    expect(() => tensor([1, 2]).mT).toThrow(/matrices/);
  });

  it("factories take variadic sizes as well as a shape array", () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(ones(2, 3, { dtype: "float64" }).dtype).toBe("float64");
    expect(zeros([2, 3], { dtype: "int32" }).dtype).toBe("int32");
    expect(rand(4, 1).shape).toEqual([4, 1]);
    expect(randn([3]).shape).toEqual([3]);
    expect(zeros().shape).toEqual([]);
    expect(() => zeros(2, -1)).toThrow(/invalid size -1/);
  });

  it("max(dim) gives values and indices; max(other) is the element-wise maximum", () => {
    const x = tensor([
      [1, 5, 2],
      [7, 0, 7],
    ]);
    const { values, indices } = x.max(1);
    expect(values.tolist()).toEqual([5, 7]);
    expect(indices.tolist()).toEqual([1, 0]);
    expect(indices.dtype).toBe("int64");
    expect(x.max().item()).toBe(7);
    expect(x.max(tensor([3, 3, 3])).tolist()).toEqual([
      [3, 5, 3],
      [7, 3, 7],
    ]);
  });

  it("slice clamps like Python and shares nothing with the input", () => {
    const x = tensor([0, 1, 2, 3, 4]);
    expect(x.slice(0, -100, 100).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(x.slice(0, 3, 1).tolist()).toEqual([]);
    expect(x.slice(0, 1, null, 3).tolist()).toEqual([1, 4]);
  });
});
