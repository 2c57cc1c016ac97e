/**
 * gradstep's five dtypes against PyTorch 1.13 (fixture: test/golden/dtypes/gen_dtypes.py): type
 * promotion of every pair and of tensor-scalar pairs, reductions and conversions of integer and
 * bool tensors, printing; then the int32-backed store's checks, masks, indices and labels, on both
 * backends.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { F, Tensor, arange, full, nn, randint, randperm, tensor, where, zeros } from "../src/index.js";
import type { DType } from "../src/dtype.js";
import { describeEachBackend } from "./helpers.js";

type Value = number | boolean | string;
interface Result {
  dtype: DType;
  shape: number[];
  values: Value[];
}
interface Promotion {
  op: "add" | "mul" | "div" | "eq" | "maximum";
  a: DType;
  b?: DType;
  scalar?: number;
  result: Result;
}
const fixture = JSON.parse(readFileSync(new URL("./golden/dtypes/dtypes.json", import.meta.url), "utf8")) as {
  promotion: Promotion[];
  reductions: { op: string; input: DType; result: Result }[];
  conversions: { from: DType; to: DType; input: Value[]; result: Result }[];
  printing: { data: Value[]; dtype: DType; shape: number[]; repr: string }[];
  errors: Record<string, string>;
};

const VALUES: Record<DType, [Value[], Value[]]> = {
  float32: [
    [1.5, -2.25, 3.0],
    [0.5, 2.0, -4.0],
  ],
  float64: [
    [0.1, -7.0, 2.5],
    [3.0, -0.5, 2.5],
  ],
  int64: [
    [7, -7, 3],
    [2, 3, -3],
  ],
  int32: [
    [5, -9, 4],
    [-2, 4, 4],
  ],
  bool: [
    [true, true, false],
    [true, false, true],
  ],
};
const num = (v: Value): number | boolean =>
  typeof v !== "string" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;
const make = (values: Value[], dtype: DType): Tensor => tensor(values.map(num) as number[], { dtype });

/** Same dtype, shape and values; a bool result must hold only 0 and 1 in its storage. */
function expectResult(t: Tensor, expected: Result, what: string): void {
  expect(t.dtype, `${what}: dtype`).toBe(expected.dtype);
  expect(t.shape, `${what}: shape`).toEqual(expected.shape);
  expect(t.reshape([-1]).tolist(), `${what}: values`).toEqual(expected.values.map(num));
  if (t.dtype === "bool")
    expect(
      [...t.toArray()].every((v) => v === 0 || v === 1),
      `${what}: bool storage is 0/1`,
    ).toBe(true);
}

const OPS = {
  add: (a: Tensor, b: Tensor | number) => a.add(b),
  mul: (a: Tensor, b: Tensor | number) => a.mul(b),
  div: (a: Tensor, b: Tensor | number) => a.div(b),
  eq: (a: Tensor, b: Tensor | number) => a.eq(b),
  maximum: (a: Tensor, b: Tensor | number) => a.maximum(b),
};

describeEachBackend("dtypes against PyTorch", () => {
  it("type promotion of every pair of dtypes, and of tensors with JS numbers (PyTorch's scalar rule)", () => {
    expect(fixture.promotion.length).toBe(5 * 5 * 5 + 5 * 2 * 4);
    for (const c of fixture.promotion) {
      const a = make(VALUES[c.a][0], c.a);
      const b = c.b !== undefined ? make(VALUES[c.b][1], c.b) : c.scalar!;
      expectResult(OPS[c.op](a, b), c.result, `${c.a} ${c.op} ${c.b ?? c.scalar}`);
    }
  });

  it("reductions of integer and bool tensors: sums, scans and products are int64, all/any bool", () => {
    for (const c of fixture.reductions) {
      const x = tensor(
        [
          [1, 0, 3],
          [2, 2, 0],
        ],
        { dtype: c.input },
      );
      const y = c.op === "cumsum" ? x.cumsum(1) : (x as unknown as Record<string, () => Tensor>)[c.op]();
      expectResult(y, c.result, `${c.op} of ${c.input}`);
    }
  });

  it("conversions: to integers truncate toward zero, to bool NaN is true; long() int() bool() float() double()", () => {
    for (const c of fixture.conversions) expectResult(make(c.input, c.from).to(c.to), c.result, `${c.from} → ${c.to}`);
    const x = tensor([2.7, -0.5]);
    expect([x.long().dtype, x.int().dtype, x.bool().dtype, x.long().float().dtype, x.double().dtype]).toEqual([
      "int64",
      "int32",
      "bool",
      "float32",
      "float64",
    ]);
    expect(x.bool().tolist()).toEqual([true, true]);
  });

  it("prints as PyTorch: int64 and bool without a dtype suffix, True/False, empty tensors name their dtype", () => {
    for (const c of fixture.printing) expect(make(c.data, c.dtype).reshape(c.shape).toString()).toBe(c.repr);
  });

  it("errors as PyTorch's: int32 overflow on creation, bool subtraction and negation", () => {
    expect(() => tensor([2 ** 31], { dtype: "int32" })).toThrow(fixture.errors.int32_overflow);
    expect(() => tensor([-(2 ** 31) - 1], { dtype: "int32" })).toThrow(fixture.errors.int32_overflow);
    expect(() => tensor([NaN], { dtype: "int32" })).toThrow(/cannot be converted to type int32 without overflow/);
    expect(() => full([2], 2 ** 31, { dtype: "int32" })).toThrow(/cannot be converted to type int32 without overflow/);
    expect(() => tensor([true]).sub(tensor([true]))).toThrow(
      /Subtraction, the `-` operator, with two bool tensors is not supported/,
    );
    expect(() => tensor([true]).neg()).toThrow(/Negation, the `-` operator, on a bool tensor is not supported/);
    expect(tensor([2 ** 31 - 1, -(2 ** 31)], { dtype: "int32" }).tolist()).toEqual([2 ** 31 - 1, -(2 ** 31)]);
  });
});

describeEachBackend("int64 and bool in gradstep", () => {
  it("int64 is a checked int32-backed store: values outside ±2^31 are an error naming the limit", () => {
    expect(tensor([2 ** 31 - 1, -(2 ** 31)], { dtype: "int64" }).tolist()).toEqual([2 ** 31 - 1, -(2 ** 31)]);
    for (const v of [2 ** 31, -(2 ** 31) - 1, 2 ** 40]) {
      expect(() => tensor([0, v], { dtype: "int64" })).toThrow(
        /value .* cannot be stored as int64: gradstep keeps int64 data in int32 storage/,
      );
    }
    expect(() => full([1], 2 ** 33, { dtype: "int64" })).toThrow(/int32 storage/);
    expect(() => randint(0, 2 ** 32, [3])).toThrow(/int32 storage/);
    expect(() => tensor([1], { dtype: "int64" }).add(2 ** 31)).toThrow(/int32 storage/);
    expect(tensor([1.9, -1.9], { dtype: "int64" }).tolist()).toEqual([1, -1]);
  });

  it("tensor() infers bool from booleans; tolist and toJSON give booleans", () => {
    const m = tensor([
      [true, false],
      [false, true],
    ]);
    expect(m.dtype).toBe("bool");
    expect(m.tolist()).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(JSON.stringify(tensor([true, false]))).toBe("[true,false]");
    expect(tensor(true).dtype).toBe("bool");
    expect(tensor([true, false], { dtype: "float32" }).tolist()).toEqual([1, 0]);
    expect(tensor([3, 0], { dtype: "bool" }).tolist()).toEqual([true, false]);
    expect(tensor([1, 2]).dtype).toBe("float32");
  });

  it("comparisons, isnan/isinf/isfinite, all/any and logical ops return bool", () => {
    const x = tensor([1, NaN, Infinity, -2]);
    for (const t of [
      x.gt(0),
      x.ge(0),
      x.lt(0),
      x.le(0),
      x.eq(1),
      x.ne(1),
      x.isnan(),
      x.isinf(),
      x.isfinite(),
      x.all(),
      x.any(0),
    ]) {
      expect(t.dtype).toBe("bool");
    }
    const a = tensor([true, true, false, false]);
    const b = tensor([1, 0, 2, 0], { dtype: "int64" });
    expect(a.logicalAnd(b).tolist()).toEqual([true, false, false, false]);
    expect(a.logicalOr(b).tolist()).toEqual([true, true, true, false]);
    expect(a.logicalXor(b).tolist()).toEqual([false, true, true, false]);
    expect(b.logicalNot().tolist()).toEqual([false, true, false, true]);
    expect(a.add(a).int().tolist()).toEqual([1, 1, 0, 0]);
  });

  it("bool masks index, select, fill and choose; a bool tensor in index() is a mask", () => {
    const x = arange(6).reshape([3, 2]);
    const rows = tensor([true, false, true]);
    expect(x.index(rows).tolist()).toEqual([
      [0, 1],
      [4, 5],
    ]);
    expect(x.index(x.gt(2)).tolist()).toEqual([3, 4, 5]);
    expect(x.maskedSelect(x.gt(2)).tolist()).toEqual([3, 4, 5]);
    expect(x.maskedFill(x.lt(2), -1).tolist()).toEqual([
      [-1, -1],
      [2, 3],
      [4, 5],
    ]);
    expect(where(x.gt(2), x, tensor(0)).tolist()).toEqual([
      [0, 0],
      [0, 3],
      [4, 5],
    ]);
    expect(x.clone().maskedFill_(x.lt(2), 9).tolist()).toEqual([
      [9, 9],
      [2, 3],
      [4, 5],
    ]);
    expect(() => x.index(tensor([true, false]))).toThrow(
      /shape of the mask \[2\] does not match the shape of the indexed tensor \[3, 2\]/,
    );
  });

  it("indices and labels are int64 as in PyTorch, and int64 or int32 both index and label", () => {
    const x = tensor([
      [3, 1, 2],
      [0, 5, 4],
    ]);
    expect([x.argmax(1).dtype, x.max(1).indices.dtype, x.sort().indices.dtype, x.topk(2).indices.dtype]).toEqual([
      "int64",
      "int64",
      "int64",
      "int64",
    ]);
    expect([
      randint(0, 5, [3]).dtype,
      randperm(4).dtype,
      x.softmax(1).multinomial(2).dtype,
      F.oneHot(tensor([1], { dtype: "int64" }), 3).dtype,
    ]).toEqual(["int64", "int64", "int64", "int64"]);
    for (const dtype of ["int64", "int32"] as const) {
      const idx = tensor([[2], [0]], { dtype });
      expect(x.gather(1, idx).tolist()).toEqual([[2], [0]]);
      expect(x.indexSelect(1, tensor([2, 0], { dtype })).tolist()).toEqual([
        [2, 3],
        [4, 0],
      ]);
      expect(x.index(tensor([1, -1], { dtype })).tolist()).toEqual([
        [0, 5, 4],
        [0, 5, 4],
      ]);
      const loss = F.crossEntropy(
        tensor([
          [2, 0, 1],
          [0, 1, 3],
        ]),
        tensor([0, 2], { dtype }),
      );
      expect(loss.item()).toBeCloseTo(0.288726, 5); // torch.nn.functional.cross_entropy, PyTorch 1.13;
      expect(new nn.Embedding(4, 2).call(tensor([3, 0], { dtype })).shape).toEqual([2, 2]);
    }
    expect(() => x.gather(1, tensor([[true], [false]]))).toThrow(
      /expected an integer index tensor \(int64 or int32\), got bool/,
    );
    expect(() => x.gather(1, tensor([[1], [0]]))).toThrow(/got float32; convert with .long\(\)/);
  });

  it("int64 and bool live in int32 storage, arithmetic on int64 is integer arithmetic", () => {
    const a = tensor([7, -7], { dtype: "int64" });
    expect(a.toArray()).toBeInstanceOf(Int32Array);
    expect(a.mul(a).tolist()).toEqual([49, 49]);
    expect(a.div(2).tolist()).toEqual([3.5, -3.5]);
    expect(a.sum().dtype).toBe("int64");
    expect(zeros(2, { dtype: "bool" }).fill_(5).tolist()).toEqual([true, true]);
    expect(a.requiresGrad).toBe(false);
    expect(() => a.requiresGrad_()).toThrow(/only floating point tensors can require gradients, this one is int64/);
  });
});
