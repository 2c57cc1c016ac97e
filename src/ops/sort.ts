/**
 * sort, topk and max/min along a dimension with their indices.
 *
 * The order is found on the host (a stable sort of each line, NaN counted larger than every number
 * as in PyTorch), and the values are then `take`n from the input, so the values' gradient is the
 * scatter back to where each value came from. Indices are int64, as PyTorch's.
 */
import { normalizeDim, numelOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { take } from "./indexing.js";
import { argExtreme, extreme } from "./reduce.js";

export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** Ascending comparison with NaN last, like PyTorch's sort. */
function ascending(x: number, y: number): number {
  const nx = Number.isNaN(x);
  const ny = Number.isNaN(y);
  if (nx || ny) return nx === ny ? 0 : nx ? 1 : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * For each line along `d`: the positions of its first `k` elements in sorted order.
 * Returns the flat positions into `a` and the indices along `d`, both laid out as the output.
 */
function order(a: Tensor, d: number, k: number, descending: boolean): { positions: number[]; along: number[] } {
  const values = a.toArray();
  const outer = numelOf(a.shape.slice(0, d));
  const size = a.shape[d];
  const inner = numelOf(a.shape.slice(d + 1));
  const positions = new Array<number>(outer * k * inner);
  const along = new Array<number>(outer * k * inner);
  const line = Array.from({ length: size }, (_, i) => i);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * size + j) * inner + i;
      line.forEach((_, j) => (line[j] = j));
      line.sort(
        (p, q) =>
          (descending ? ascending(values[at(q)], values[at(p)]) : ascending(values[at(p)], values[at(q)])) || p - q,
      );
      for (let j = 0; j < k; j++) {
        const out = (o * k + j) * inner + i;
        positions[out] = at(line[j]);
        along[out] = line[j];
      }
    }
  }
  return { positions, along };
}

function sorted(a: Tensor, d: number, k: number, descending: boolean): ValuesIndices {
  const shape = a.shape.map((s, i) => (i === d ? k : s));
  const { positions, along } = order(a, d, k, descending);
  return {
    values: take(a, positions, shape),
    indices: new Tensor(a.backend.fromArray("int64", along), shape, a.backend),
  };
}

/** Sorts along `dim` (default the last), ascending unless `descending`; stable. */
export function sort(a: Tensor, dim = -1, descending = false): ValuesIndices {
  if (a.ndim === 0) return { values: a.clone(), indices: new Tensor(a.backend.fromArray("int64", [0]), [], a.backend) };
  const d = normalizeDim(dim, a.ndim);
  return sorted(a, d, a.shape[d], descending);
}

/** The k largest (or smallest) elements along `dim`, in sorted order. */
export function topk(a: Tensor, k: number, dim = -1, largest = true): ValuesIndices {
  const d = normalizeDim(dim, Math.max(a.ndim, 1));
  const size = a.ndim === 0 ? 1 : a.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > size)
    throw new RangeError(`topk(): selected index k (${k}) out of range for a dimension of size ${size}`);
  if (a.ndim === 0) return sort(a);
  return sorted(a, d, k, largest);
}

/** max/min along `dim`: the values (gradient to the chosen element) and their int64 indices. */
export function extremeWithIndices(op: "max" | "min", a: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  return {
    values: extreme(op, a, dim, keepdim),
    indices: argExtreme(op === "max" ? "argmax" : "argmin", a, dim, keepdim),
  };
}
