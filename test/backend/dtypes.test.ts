/**
 * int64 and bool storages on both backends: every kernel treats them exactly as int32 (same bits
 * as an int32 storage on the same backend, and the same on both backends), and the conversions into
 * bool (fromArray, write, fill, cast) store x != 0 on both.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import type { Backend, BinaryOp, ReduceOp, UnaryOp } from "../../src/backend/backend.js";
import type { DType } from "../../src/dtype.js";
import { RUNS, both, elementArb, expectIdentical, js, release, wasm } from "./reference.js";

const INT_BACKED: readonly DType[] = ["int64", "bool"];
const UNARY: readonly UnaryOp[] = ["neg", "abs", "sign", "relu"];
const BINARY: readonly BinaryOp[] = [
  "add",
  "sub",
  "mul",
  "div",
  "maximum",
  "minimum",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
];
const REDUCE: readonly ReduceOp[] = ["sum", "max", "min", "argmax", "argmin"];

/** Values a storage of `dtype` holds: int32 values, or 0/1 for bool. */
const valuesOf = (dtype: DType) =>
  fc.array(dtype === "bool" ? fc.constantFrom(0, 1) : elementArb("int32").filter((v) => v !== 0), {
    minLength: 1,
    maxLength: 40,
  });

/** Runs `kernel` on `dtype` storages and on int32 storages of one backend; both must agree. */
function sameAsInt32(
  backend: Backend,
  dtype: DType,
  a: number[],
  b: number[],
  kernel: (out: ReturnType<Backend["alloc"]>, x: ReturnType<Backend["alloc"]>, y: ReturnType<Backend["alloc"]>) => void,
  outLength = a.length,
  context = "",
) {
  const run = (d: DType) => {
    const [x, y, out] = [backend.fromArray(d, a), backend.fromArray(d, b), backend.alloc(d, outLength)];
    kernel(out, x, y);
    const result = backend.read(out);
    if (backend === wasm) release(x, y, out);
    return result;
  };
  expectIdentical(run(dtype), run("int32"), `${backend.name} ${context}`);
}

describe("int64 and bool storages are int32 storages to every kernel", () => {
  for (const dtype of INT_BACKED) {
    for (const backend of [js, wasm] as Backend[]) {
      it(`${dtype} on ${backend.name}: unary, binary, reduce, where and matmul give int32's bits`, () => {
        fc.assert(
          fc.property(valuesOf(dtype), (a) => {
            const b = a.map((v, i) => (i % 2 === 0 ? v : 1));
            for (const op of UNARY)
              if (dtype !== "bool" || op !== "neg")
                sameAsInt32(backend, dtype, a, b, (o, x) => backend.unary(op, o, x), a.length, op);
            // bool arithmetic that leaves 0/1 is what the front end asks of the kernels
            for (const op of BINARY.filter(
              (op) =>
                dtype !== "bool" || ["mul", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"].includes(op),
            )) {
              sameAsInt32(
                backend,
                dtype,
                a,
                b,
                (o, x, y) => backend.binary(op, o, x, [1], y, [1], [a.length]),
                a.length,
                op,
              );
            }
            for (const op of REDUCE)
              sameAsInt32(backend, dtype, a, b, (o, x) => backend.reduce(op, o, x, 1, a.length, 1), 1, op);
            sameAsInt32(backend, dtype, a, b, (o, x, y) => backend.where(o, y, x, y), a.length, "where");
            sameAsInt32(
              backend,
              dtype,
              a,
              b,
              (o, x, y) => backend.matmul(o, x, y, 1, 1, a.length, 1, 0, 0, false, true),
              1,
              "matmul",
            );
          }),
          { numRuns: Math.ceil(RUNS / 4) },
        );
      });
    }
  }

  for (const from of ["float32", "float64", "int32", "int64"] as DType[]) {
    it(`cast ${from} → bool is x != 0 (NaN true) on both backends, and back`, () => {
      fc.assert(
        fc.property(fc.array(elementArb(from === "int64" ? "int32" : from), { maxLength: 60 }), (values) => {
          const want = values.map((v) => (v !== 0 ? 1 : 0));
          const [sj, sw] = both(from, values);
          const [bj, bw] = [js.alloc("bool", values.length), wasm.alloc("bool", values.length)];
          js.cast(bj, sj);
          wasm.cast(bw, sw);
          expectIdentical(js.read(bj), want, "js cast");
          expectIdentical(wasm.read(bw), want, "wasm cast");
          const [back, backW] = [js.alloc(from, values.length), wasm.alloc(from, values.length)];
          js.cast(back, bj);
          wasm.cast(backW, bw);
          expectIdentical(wasm.read(backW), js.read(back), "bool → back");
          release(sw, bw, backW);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("fromArray, write and fill into bool store x != 0 on both backends", () => {
    fc.assert(
      fc.property(fc.array(elementArb("float64"), { maxLength: 40 }), elementArb("float64"), (values, value) => {
        const want = values.map((v) => (v !== 0 ? 1 : 0));
        const [bj, bw] = both("bool", values);
        expectIdentical(js.read(bj), want, "js fromArray");
        expectIdentical(wasm.read(bw), want, "wasm fromArray");
        js.write(
          bj,
          values.map((v) => -v),
        );
        wasm.write(
          bw,
          values.map((v) => -v),
        );
        expectIdentical(js.read(bj), want, "js write");
        expectIdentical(wasm.read(bw), want, "wasm write");
        js.fill(bj, value);
        wasm.fill(bw, value);
        const filled = values.map(() => (value !== 0 ? 1 : 0));
        expectIdentical(js.read(bj), filled, "js fill");
        expectIdentical(wasm.read(bw), filled, "wasm fill");
        release(bw);
      }),
      { numRuns: RUNS },
    );
  });
});
