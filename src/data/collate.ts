/**
 * Collation: turning a list of dataset items into one batch, as PyTorch's `default_collate`.
 * Tensors are stacked along a new first dimension; numbers become a 1-D tensor; arrays (tuples such
 * as `[x, y]`) and plain objects are collated position by position / key by key, so a batch of
 * `[image, label]` pairs becomes `[images, labels]`.
 */
import { Tensor } from "../tensor.js";
import { fromValues } from "../creation.js";
import { stack } from "../ops/movement.js";
import { describe, isRawImage } from "./image.js";

/** The batch type that `defaultCollate` makes from items of type T. */
export type Collated<T> = T extends Tensor | number | boolean
  ? Tensor
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: Collated<T[K]> }
    : T extends object
      ? { -readonly [K in keyof T]: Collated<T[K]> }
      : never;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * PyTorch's `default_collate` for the item types a JS dataset yields:
 * * tensors of equal shape → `stack(batch)` (shape [batch, ...item shape]);
 * * numbers → a 1-D tensor: int64 when every value is an integer that fits gradstep's int64 store
 *   (±2^31; PyTorch gives int64 for Python ints, the labels `CrossEntropyLoss` takes), otherwise
 *   float64 (PyTorch's dtype for Python floats). JS cannot tell `1.0` from `1`, so a batch of
 *   whole-number floats comes out int64: wrap such values in tensors to choose.
 * * booleans → a 1-D bool tensor;
 * * arrays of equal length → an array of the collated positions;
 * * plain objects → an object of the collated keys (the keys of the first item).
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  return collate(batch as readonly unknown[], "batch") as Collated<T>;
}

function collate(batch: readonly unknown[], where: string): unknown {
  if (batch.length === 0) throw new RangeError("default_collate: cannot collate an empty batch");
  const first = batch[0];
  if (first instanceof Tensor) {
    batch.forEach((item, i) => {
      if (!(item instanceof Tensor))
        throw new TypeError(`default_collate: ${where} item 0 is a tensor but item ${i} is ${describe(item)}`);
    });
    return stack(batch as Tensor[], 0);
  }
  if (typeof first === "number") {
    let integers = true;
    batch.forEach((item, i) => {
      if (typeof item !== "number")
        throw new TypeError(`default_collate: ${where} item 0 is a number but item ${i} is ${describe(item)}`);
      if (!Number.isInteger(item) || item < INT32_MIN || item > INT32_MAX) integers = false;
    });
    return fromValues(batch as number[], [batch.length], { dtype: integers ? "int64" : "float64" });
  }
  if (typeof first === "boolean") {
    batch.forEach((item, i) => {
      if (typeof item !== "boolean")
        throw new TypeError(`default_collate: ${where} item 0 is a boolean but item ${i} is ${describe(item)}`);
    });
    return fromValues((batch as boolean[]).map(Number), [batch.length], { dtype: "bool" });
  }
  if (Array.isArray(first)) {
    batch.forEach((item, i) => {
      if (!Array.isArray(item))
        throw new TypeError(`default_collate: ${where} item 0 is an array but item ${i} is ${describe(item)}`);
      if (item.length !== first.length) {
        throw new RangeError(
          `default_collate: each element in list of batch should be of equal size (${where} item 0 has ${first.length} elements, item ${i} has ${item.length})`,
        );
      }
    });
    return first.map((_, k) =>
      collate(
        batch.map((item) => (item as unknown[])[k]),
        `${where}[${k}]`,
      ),
    );
  }
  if (isRawImage(first)) {
    throw new TypeError(`default_collate: ${where} holds images, not tensors; add ToTensor to the dataset's transform`);
  }
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    batch.forEach((item, i) => {
      if (!isPlainObject(item))
        throw new TypeError(`default_collate: ${where} item 0 is an object but item ${i} is ${describe(item)}`);
    });
    return Object.fromEntries(
      keys.map((key) => [
        key,
        collate(
          batch.map((item) => (item as Record<string, unknown>)[key]),
          `${where}.${key}`,
        ),
      ]),
    );
  }
  throw new TypeError(
    `default_collate: batch must contain tensors, numbers, arrays or plain objects; found ${describe(first)} in ${where}`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
