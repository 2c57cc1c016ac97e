/**
 * fast-check properties for broadcasting and shape ops: random shapes, compared with the
 * definitions written out as plain index arithmetic.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { Tensor, cat, tensor } from "../src/index.js";
import { broadcastShapes, contiguousStrides } from "../src/shape.js";
import { describeEachBackend } from "./helpers.js";

const dim = fc.integer({ min: 0, max: 4 });
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

/** A shape and another that broadcasts with it (some sizes replaced by 1, leading dims dropped). */
const broadcastablePair = shapeArb.chain((shape) =>
  fc
    .tuple(
      fc.constant(shape),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 0, max: shape.length }),
    )
    .map(([s, ones, drop]) => [s, s.map((d, i) => (ones[i] ? 1 : d)).slice(drop)] as const),
);

const counting = (shape: readonly number[], offset = 0): Tensor =>
  tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i + offset),
    { dtype: "float64" },
  ).reshape([...shape]);

/** Element at multi-index `idx` of `t` read by broadcasting rules (missing leading dims, size-1 dims). */
function readBroadcast(values: ArrayLike<number>, shape: readonly number[], idx: number[]): number {
  const strides = contiguousStrides(shape);
  const lead = idx.length - shape.length;
  let at = 0;
  shape.forEach((d, i) => (at += (d === 1 ? 0 : idx[i + lead]) * strides[i]));
  return values[at];
}

function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < n; flat++) {
    const idx: number[] = [];
    let rest = flat;
    for (let i = shape.length - 1; i >= 0; i--) {
      idx.unshift(rest % shape[i]);
      rest = Math.floor(rest / shape[i]);
    }
    yield idx;
  }
}

describeEachBackend("shape properties", () => {
  it("broadcast add equals the index-arithmetic definition, in both argument orders", () => {
    fc.assert(
      fc.property(broadcastablePair, fc.boolean(), ([s1, s2], swap) => {
        const [sa, sb] = swap ? [s2, s1] : [s1, s2];
        const a = counting(sa);
        const b = counting(sb, 100);
        const out = a.add(b);
        expect(out.shape).toEqual(broadcastShapes(sa, sb));
        const [va, vb, vo] = [a.toArray(), b.toArray(), out.toArray()];
        let k = 0;
        for (const idx of indices(out.shape)) {
          expect(vo[k++]).toBe(readBroadcast(va, sa, idx) + readBroadcast(vb, sb, idx));
        }
      }),
    );
  });

  it("the gradient of a broadcast op sums back to each input's shape", () => {
    fc.assert(
      fc.property(broadcastablePair, ([big, small]) => {
        const a = counting(big).requiresGrad_(true);
        const b = counting(small).requiresGrad_(true);
        a.mul(b).sum().backward();
        expect(b.grad!.shape).toEqual(small);
        // every element of a meets exactly one element of b, so Σ ∂L/∂b = Σ a,
        // and each element of b is met numel(a)/numel(b) times, so Σ ∂L/∂a = Σ b · numel(a)/numel(b)
        expect(b.grad!.sum().item()).toBe(a.sum().item());
        expect(a.grad!.shape).toEqual(big);
        expect(a.grad!.sum().item()).toBe((b.sum().item() * a.numel()) / b.numel());
      }),
    );
  });

  it("permute then the inverse permutation is the identity; reshape round-trips", () => {
    fc.assert(
      fc.property(
        shapeArb.filter((s) => s.length > 0),
        (shape) => {
          const x = counting(shape);
          const order = shape.map((_, i) => i).reverse();
          const inverse: number[] = [];
          order.forEach((d, i) => (inverse[d] = i));
          expect(x.permute(order).permute(inverse).tolist()).toEqual(x.tolist());
          expect(x.flatten().reshape(shape).tolist()).toEqual(x.tolist());
          expect(x.transpose(0, -1).transpose(0, -1).tolist()).toEqual(x.tolist());
        },
      ),
    );
  });

  it("transpose moves element (i, j) to (j, i)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (m, n) => {
        const x = counting([m, n]);
        const t = x.transpose(0, 1).toArray();
        const v = x.toArray();
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(t[j * m + i]).toBe(v[i * n + j]);
      }),
    );
  });

  it("cat then narrow gives the pieces back", () => {
    fc.assert(
      fc.property(
        shapeArb.filter((s) => s.length > 0),
        dim,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        (shape, d0, sizes) => {
          const d = d0 % shape.length;
          const pieces = sizes.map((n, i) =>
            counting(
              shape.map((s, j) => (j === d ? n : s)),
              1000 * i,
            ),
          );
          const joined = cat(pieces, d);
          let start = 0;
          pieces.forEach((p) => {
            expect(joined.narrow(d, start, p.shape[d]).tolist()).toEqual(p.tolist());
            start += p.shape[d];
          });
        },
      ),
    );
  });

  it("sum over any set of dims equals summing over them one at a time", () => {
    fc.assert(
      fc.property(
        shapeArb.filter((s) => s.length > 0),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (shape, pick) => {
          const dims = shape.map((_, i) => i).filter((i) => pick[i]);
          const x = counting(shape);
          let stepwise = x;
          for (const d of [...dims].reverse()) stepwise = stepwise.sum(d);
          expect(x.sum(dims).tolist()).toEqual(stepwise.tolist());
          expect(x.sum(dims, true).shape).toEqual(shape.map((s, i) => (dims.includes(i) ? 1 : s)));
        },
      ),
    );
  });

  it("matmul equals the triple loop, including empty dimensions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        (m, k, n) => {
          const a = counting([m, k]);
          const b = counting([k, n], 3);
          const [va, vb, vo] = [a.toArray(), b.toArray(), a.matmul(b).toArray()];
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k; p++) s += va[i * k + p] * vb[p * n + j];
              expect(vo[i * n + j]).toBe(s);
            }
          }
        },
      ),
    );
  });
});
