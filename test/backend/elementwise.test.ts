/**
 * WebAssembly kernels against the JS reference, element-wise family: fill, cast, unary, binary
 * (with broadcasting), the fused optimizer updates, clamp and where.
 *
 * Tolerances (see reference.ts for the comparisons):
 * * bit-identical: fill, cast, neg, abs, sign, sqrt, relu, + − × ÷, maximum, minimum, the six
 *   comparisons, addScaled, addcmul, addcdiv, lerp, clamp, where, in every dtype;
 * * ≤ 2 ulp: exp, log, tanh, sigmoid in float32 (evaluated in float64 lanes and rounded once: in
 *   practice ≤ 1 ulp) and pow in float32 and float64 (the standard library's musl pow against V8's
 *   FDLIBM pow: ≤ 1 ulp in practice);
 * * exp, log, tanh, sigmoid in float64 are held to 2 ulp here too, though they are FDLIBM ports
 *   like V8's and come out bit-identical in Node (a separate test pins that down);
 * * int32 transcendental functions are exact (the reference truncates a double result).
 * int32 products wrap like C int32 (Math.imul), as backend.ts specifies; the JS reference forms
 * them in double precision, so it agrees only while |product| ≤ 2^53: reference comparisons of
 * int32 products stay in that range, and a separate property checks the wrap against Math.imul.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import type { BinaryOp, UnaryOp } from "../../src/backend/backend.js";
import type { DType } from "../../src/dtype.js";
import { broadcastStrides } from "../../src/shape.js";
import {
  DTYPES,
  RUNS,
  both,
  elementArb,
  expectIdentical,
  expectWithinUlp,
  js,
  lengthArb,
  numel,
  release,
  shapeArb,
  valuesArb,
  wasm,
} from "./reference.js";

const dtypeArb = fc.constantFrom(...DTYPES);
const floatDtypeArb = fc.constantFrom<DType>("float32", "float64");
const context = (what: string, dtype: DType, n: number) => `${what} ${dtype} n=${n}`;

describe("fill and cast", () => {
  it("fill is bit-identical for any value (rounded or wrapped to the dtype)", () => {
    fc.assert(
      fc.property(
        dtypeArb,
        lengthArb,
        fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, NaN, 2 ** 32 + 5, -2.5)),
        (dtype, n, value) => {
          const [a, b] = [js.alloc(dtype, n), wasm.alloc(dtype, n)];
          js.fill(a, value);
          wasm.fill(b, value);
          expectIdentical(wasm.read(b), js.read(a), context("fill", dtype, n));
          release(b);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("cast between every pair of dtypes is bit-identical (int32 truncates and wraps, NaN → 0)", () => {
    fc.assert(
      fc.property(
        dtypeArb,
        dtypeArb,
        lengthArb.chain((n) => fc.tuple(fc.constant(n), fc.nat())),
        (from, to, [n, seed]) => {
          const values = fc.sample(valuesArb(from, n), { seed, numRuns: 1 })[0];
          const [ja, wa] = both(from, values);
          const [jo, wo] = [js.alloc(to, n), wasm.alloc(to, n)];
          js.cast(jo, ja);
          wasm.cast(wo, wa);
          expectIdentical(wasm.read(wo), js.read(jo), `cast ${from} → ${to} n=${n}`);
          release(wa, wo);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// ---- unary --------------------------------------------------------------------------------------

const EXACT_UNARY: UnaryOp[] = ["neg", "abs", "sign", "sqrt", "relu"];
const TRANSCENDENTAL: UnaryOp[] = ["exp", "log", "tanh", "sigmoid"];

function checkUnary(op: UnaryOp, dtype: DType, values: number[], inPlace: boolean, maxUlp: number): void {
  const [ja, wa] = both(dtype, values);
  const [jo, wo] = inPlace ? [ja, wa] : [js.alloc(dtype, values.length), wasm.alloc(dtype, values.length)];
  js.unary(op, jo, ja);
  wasm.unary(op, wo, wa);
  const what = context(`${op}${inPlace ? " (in place)" : ""}`, dtype, values.length);
  if (maxUlp === 0 || dtype === "int32") expectIdentical(wasm.read(wo), js.read(jo), what);
  else expectWithinUlp(dtype, wasm.read(wo), js.read(jo), maxUlp, what);
  release(wa, wo);
}

describe("unary", () => {
  it("neg, abs, sign, sqrt and relu are bit-identical in every dtype", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXACT_UNARY),
        dtypeArb,
        lengthArb,
        fc.boolean(),
        fc.nat(),
        (op, dtype, n, inPlace, seed) => {
          checkUnary(op, dtype, fc.sample(valuesArb(dtype, n), { seed, numRuns: 1 })[0], inPlace, 0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("exp, log, tanh and sigmoid are within 2 ulp in float32 and float64", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TRANSCENDENTAL),
        floatDtypeArb,
        lengthArb,
        fc.boolean(),
        fc.nat(),
        (op, dtype, n, inPlace, seed) => {
          checkUnary(op, dtype, fc.sample(valuesArb(dtype, n), { seed, numRuns: 1 })[0], inPlace, 2);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("float64 exp, log, tanh and sigmoid are bit-identical to V8's Math (both are FDLIBM)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TRANSCENDENTAL), lengthArb, fc.boolean(), fc.nat(), (op, n, inPlace, seed) => {
        checkUnary(op, "float64", fc.sample(valuesArb("float64", n), { seed, numRuns: 1 })[0], inPlace, 0);
      }),
      { numRuns: RUNS },
    );
  });

  it("exp, log, tanh and sigmoid agree over a dense sweep of float32 inputs", () => {
    // every 997th float32 bit pattern of both signs: a few million inputs across all binades
    for (const op of TRANSCENDENTAL) {
      const values: number[] = [];
      const bits = new DataView(new ArrayBuffer(4));
      for (let b = 0; b < 0x7f800000; b += 997 * 16) {
        bits.setUint32(0, b);
        values.push(bits.getFloat32(0), -bits.getFloat32(0));
      }
      checkUnary(op, "float32", values, false, 2);
    }
  });

  it("int32 inputs give the reference's truncated double results exactly", () => {
    const ints: number[] = [];
    for (let x = -800; x <= 800; x++) ints.push(x);
    ints.push(2147483647, -2147483648, 1000000, 46340, 46341);
    for (const op of [...TRANSCENDENTAL, ...EXACT_UNARY]) checkUnary(op, "int32", ints, false, 0);
  });
});

// ---- binary -------------------------------------------------------------------------------------

/** An output shape and, per operand, a shape that broadcasts to it (sizes set to 1, leading dims dropped). */
const broadcastArb = shapeArb().chain((shape) => {
  const operand = fc
    .tuple(
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 0, max: shape.length }),
    )
    .map(([ones, drop]) => shape.map((d, i) => (ones[i] ? 1 : d)).slice(drop));
  return fc.tuple(fc.constant(shape), operand, operand);
});

/** Values for an int32 product that the double-precision reference forms exactly (|x| ≤ 2^26). */
const SMALL_INT = { min: -(2 ** 26), max: 2 ** 26 };

function checkBinary(
  op: BinaryOp,
  dtype: DType,
  shape: number[],
  aShape: number[],
  bShape: number[],
  aValues: number[],
  bValues: number[],
  inPlace: boolean,
  maxUlp: number,
): void {
  const [ja, wa] = both(dtype, aValues);
  const [jb, wb] = both(dtype, bValues);
  const sa = broadcastStrides(aShape, shape);
  const sb = broadcastStrides(bShape, shape);
  const n = numel(shape);
  // in place only where a already has the output's shape, as the front end's add_ & co. do
  const useA = inPlace && numel(aShape) === n && aShape.length === shape.length;
  const [jo, wo] = useA ? [ja, wa] : [js.alloc(dtype, n), wasm.alloc(dtype, n)];
  js.binary(op, jo, ja, sa, jb, sb, shape);
  wasm.binary(op, wo, wa, sa, wb, sb, shape);
  const what = `${op} ${dtype} [${shape}] ← [${aShape}] ∘ [${bShape}]${useA ? " in place" : ""}`;
  if (maxUlp === 0 || dtype === "int32") expectIdentical(wasm.read(wo), js.read(jo), what);
  else expectWithinUlp(dtype, wasm.read(wo), js.read(jo), maxUlp, what);
  release(wa, wb, wo);
}

const EXACT_BINARY: BinaryOp[] = ["add", "sub", "mul", "div", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];

describe("binary with broadcasting", () => {
  it("+ − × ÷, maximum, minimum and comparisons are bit-identical", () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.constantFrom(...EXACT_BINARY), dtypeArb, broadcastArb, fc.boolean())
          .chain(([op, dtype, shapes, inPlace]) => {
            const range = dtype === "int32" && op === "mul" ? SMALL_INT : undefined;
            return fc.tuple(
              fc.constant(op),
              fc.constant(dtype),
              fc.constant(shapes),
              fc.constant(inPlace),
              valuesArb(dtype, numel(shapes[1]), range),
              valuesArb(dtype, numel(shapes[2]), range),
            );
          }),
        ([op, dtype, [shape, aShape, bShape], inPlace, a, b]) => {
          checkBinary(op, dtype, shape, aShape, bShape, a, b, inPlace, 0);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it("pow is within 2 ulp for floats and exact for int32, JavaScript's special cases included", () => {
    const intBase = { min: -12, max: 12 };
    const intExponent = { min: -3, max: 12 };
    fc.assert(
      fc.property(
        fc
          .tuple(dtypeArb, broadcastArb)
          .chain(([dtype, shapes]) =>
            fc.tuple(
              fc.constant(dtype),
              fc.constant(shapes),
              valuesArb(dtype, numel(shapes[1]), dtype === "int32" ? intBase : undefined),
              valuesArb(dtype, numel(shapes[2]), dtype === "int32" ? intExponent : undefined),
            ),
          ),
        ([dtype, [shape, aShape, bShape], a, b]) => checkBinary("pow", dtype, shape, aShape, bShape, a, b, false, 2),
      ),
      { numRuns: RUNS },
    );
    // the cases where JavaScript and C disagree: NaN exponents, (±1) ** ±Infinity
    const bases = [1, -1, 0, -0, NaN, 2, 0.5, Infinity, -Infinity];
    const exponents = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 3];
    const a = bases.flatMap((x) => exponents.map(() => x));
    const b = bases.flatMap(() => exponents);
    for (const dtype of ["float32", "float64"] as const)
      checkBinary("pow", dtype, [a.length], [a.length], [b.length], a, b, false, 0);
  });

  it("int32 products wrap like C int32 (Math.imul) for any operands", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer(), fc.integer()), { minLength: 0, maxLength: 70 }), (pairs) => {
        const a = wasm.fromArray(
          "int32",
          pairs.map((p) => p[0]),
        );
        const b = wasm.fromArray(
          "int32",
          pairs.map((p) => p[1]),
        );
        const out = wasm.alloc("int32", pairs.length);
        wasm.binary("mul", out, a, [1], b, [1], [pairs.length]);
        expectIdentical(
          wasm.read(out),
          pairs.map(([p, q]) => Math.imul(p, q)),
          "int32 mul vs Math.imul",
        );
        release(a, b, out);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---- fused updates, clamp, where ----------------------------------------------------------------

describe("fused updates", () => {
  const updates = ["addScaled", "addcmul", "addcdiv", "lerp"] as const;
  it("addScaled, addcmul, addcdiv and lerp are bit-identical (in place and not)", () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.constantFrom(...updates), dtypeArb, lengthArb, fc.boolean()).chain(([op, dtype, n, inPlace]) => {
          // int32: |a|, |s·p·q| < 2^53, so the double-precision reference forms every product exactly
          const range = dtype === "int32" ? { min: -(2 ** 15), max: 2 ** 15 } : undefined;
          const scalar =
            dtype === "int32"
              ? fc.integer({ min: -(2 ** 15), max: 2 ** 15 })
              : fc.oneof(elementArb("float64"), fc.double({ min: -2, max: 2 }));
          return fc.tuple(
            fc.constant(op),
            fc.constant(dtype),
            fc.constant(inPlace),
            valuesArb(dtype, n, range),
            valuesArb(dtype, n, range),
            valuesArb(dtype, n, range),
            scalar,
          );
        }),
        ([op, dtype, inPlace, a, p, q, s]) => {
          const n = a.length;
          const [ja, wa] = both(dtype, a);
          const [jp, wp] = both(dtype, p);
          const [jq, wq] = both(dtype, q);
          const [jo, wo] = inPlace ? [ja, wa] : [js.alloc(dtype, n), wasm.alloc(dtype, n)];
          for (const [backend, o, x, y, z] of [
            [js, jo, ja, jp, jq],
            [wasm, wo, wa, wp, wq],
          ] as const) {
            if (op === "addScaled") backend.addScaled(o, x, y, s);
            else if (op === "lerp") backend.lerp(o, x, y, s);
            else backend[op](o, x, y, z, s);
          }
          expectIdentical(wasm.read(wo), js.read(jo), `${op} ${dtype} n=${n} scalar=${s}${inPlace ? " in place" : ""}`);
          release(wa, wp, wq, wo);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});

describe("clamp and where", () => {
  it("clamp is bit-identical for any bounds, including NaN, ±Infinity, lo > hi and fractions on int32", () => {
    const bound = fc.oneof(
      fc.double(),
      fc.integer({ min: -100, max: 100 }),
      fc.constantFrom(NaN, Infinity, -Infinity, -0, 2.5, -2.5),
    );
    fc.assert(
      fc.property(dtypeArb, lengthArb, fc.nat(), bound, bound, fc.boolean(), (dtype, n, seed, lo, hi, inPlace) => {
        const values = fc.sample(valuesArb(dtype, n), { seed, numRuns: 1 })[0];
        const [ja, wa] = both(dtype, values);
        const [jo, wo] = inPlace ? [ja, wa] : [js.alloc(dtype, n), wasm.alloc(dtype, n)];
        js.clamp(jo, ja, lo, hi);
        wasm.clamp(wo, wa, lo, hi);
        expectIdentical(wasm.read(wo), js.read(jo), `clamp ${dtype} n=${n} [${lo}, ${hi}]`);
        release(wa, wo);
      }),
      { numRuns: RUNS },
    );
  });

  it("where is bit-identical (NaN conditions count as true, -0 as false)", () => {
    fc.assert(
      fc.property(dtypeArb, lengthArb, fc.nat(), (dtype, n, seed) => {
        const [c, a, b] = fc.sample(valuesArb(dtype, n), { seed, numRuns: 3 });
        const cond = c.map((x, i) => (i % 3 === 0 ? 0 : i % 5 === 0 ? -0 : x));
        const [jc, wc] = both(dtype, cond);
        const [ja, wa] = both(dtype, a);
        const [jb, wb] = both(dtype, b);
        const [jo, wo] = [js.alloc(dtype, n), wasm.alloc(dtype, n)];
        js.where(jo, jc, ja, jb);
        wasm.where(wo, wc, wa, wb);
        expectIdentical(wasm.read(wo), js.read(jo), `where ${dtype} n=${n}`);
        release(wc, wa, wb, wo);
      }),
      { numRuns: RUNS },
    );
  });
});
