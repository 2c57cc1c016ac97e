/**
 * The optimizer golden fixtures (written by test/golden/optim/gen_optim.py from real PyTorch runs)
 * and how gradstep's results are compared with them.
 *
 * Tolerance: a value v from gradstep matches PyTorch's p when
 *
 *     |v − p| ≤ 1e-6 + 1e-5·|p|        (TOLERANCE: rtol 1e-5, atol 1e-6)
 *
 * that is, 1e-5 relative, with an absolute floor of 1e-6 for values near zero. Both sides compute in
 * float32; they differ only where PyTorch's kernels round differently (fused multiply-adds,
 * vectorised sums), by an ulp here and there, and 1e-5 leaves room for that to accumulate over 60
 * steps. Values that cancel down to near zero keep an absolute error of the size of the numbers
 * they came from, hence the floor.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { Tensor, optim, tensor } from "../../src/index.js";
import { expectClose } from "../helpers.js";

export const TOLERANCE = { rtol: 1e-5, atol: 1e-6 } as const;

/** How PyTorch stored a state entry: a tensor (shape, dtype), a Python int/float/None, or a list. */
export type StoredKind = { tensor: number[]; dtype: string } | "int" | "float" | "none" | "bool" | StoredKind[];

export interface StateDictJson {
  state: Record<string, Record<string, unknown>>;
  param_groups: Record<string, unknown>[];
}

export interface OptimizerCase {
  name: string;
  options: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  shapes: number[][];
  initial: number[][];
  /** grads[step][param]: flat values, or null where PyTorch's `.grad` was None */
  grads: (number[] | null)[][];
  /** trajectory[step][param]: the parameter after that step, flat */
  trajectory: number[][][];
  mid_step: number;
  mid_state_dict: StateDictJson;
  final_state_dict: StateDictJson;
  final_state_types: Record<string, Record<string, StoredKind>>;
}

export interface ErrorCase {
  options: Record<string, unknown>;
  groups: boolean;
  message: string;
}

export interface OptimizerFixture {
  torch_version: string;
  optimizer: keyof typeof optim;
  cases: OptimizerCase[];
  errors: ErrorCase[];
}

export function readFixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../golden/optim/${file}`, import.meta.url), "utf8")) as T;
}

/** A leaf parameter (requires grad) of `shape` holding `values`. */
export function parameter(values: number[], shape: number[]): Tensor {
  return tensor(values).reshape(shape).requiresGrad_(true);
}

type OptimizerClass = new (params: unknown, options?: Record<string, unknown>) => optim.Optimizer;

/** The optimizer a case describes, over `params`, built as the generator built PyTorch's. */
export function buildOptimizer(
  name: string,
  c: Pick<OptimizerCase, "options" | "groups">,
  params: Tensor[],
): optim.Optimizer {
  const Class = (optim as unknown as Record<string, OptimizerClass>)[name];
  if (c.groups === null) return new Class(params, c.options);
  return new Class(
    c.groups.map((g) => ({ params: g.params.map((i) => params[i]), ...g.options })),
    c.options,
  );
}

/** Assigns step `step`'s gradients (null stays null: the optimizer must skip that parameter). */
export function setGrads(params: Tensor[], grads: (number[] | null)[]): void {
  params.forEach((p, i) => {
    const g = grads[i];
    p.grad = g === null ? null : tensor(g).reshape([...p.shape]);
  });
}

/** A state dict as a JSON dump writes it: tensors as nested lists (0-d tensors as numbers). */
export function toJson(value: unknown): unknown {
  if (value instanceof Tensor) return value.tolist();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return value;
}

/**
 * Asserts that a state dict (gradstep's, live) equals PyTorch's JSON dump: the same parameters with
 * the same state keys, every number within TOLERANCE (null where PyTorch has None), and
 * `param_groups` exactly equal, every key PyTorch writes with the same value.
 */
export function expectStateDictClose(actual: optim.OptimizerStateDict, expected: StateDictJson, what: string): void {
  const ours = toJson(actual) as StateDictJson;
  expect(ours.param_groups, `${what}: param_groups`).toEqual(expected.param_groups);
  expect(Object.keys(ours.state).sort(), `${what}: parameters with state`).toEqual(Object.keys(expected.state).sort());
  for (const [index, entries] of Object.entries(expected.state)) {
    expect(Object.keys(ours.state[index]).sort(), `${what}: state keys of parameter ${index}`).toEqual(
      Object.keys(entries).sort(),
    );
    for (const [key, value] of Object.entries(entries))
      expectValueClose(ours.state[index][key], value, `${what}: state[${index}].${key}`);
  }
}

function expectValueClose(actual: unknown, expected: unknown, what: string): void {
  if (expected === null || typeof expected === "boolean" || typeof expected === "string") {
    expect(actual, what).toEqual(expected);
  } else if (typeof expected === "number") {
    expect(typeof actual, what).toBe("number");
    expectClose(actual as number, expected, { ...TOLERANCE, what });
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${what} is a list`).toBe(true);
    expect((actual as unknown[]).length, `${what} length`).toBe(expected.length);
    expected.forEach((e, i) => expectValueClose((actual as unknown[])[i], e, `${what}[${i}]`));
  } else {
    throw new Error(`${what}: unexpected fixture value ${JSON.stringify(expected)}`);
  }
}

/**
 * Asserts that each state entry is stored as PyTorch stores it: a tensor of the same shape and
 * dtype, a number for a Python int or float, null for None. With `scalarTensorsAsNumbers`, a 0-d
 * tensor in PyTorch may be a number here (LBFGS keeps its scalars as numbers).
 */
export function expectStateKinds(
  state: optim.OptimizerStateDict["state"],
  kinds: Record<string, Record<string, StoredKind>>,
  what: string,
  scalarTensorsAsNumbers = false,
): void {
  const check = (value: unknown, kind: StoredKind, where: string): void => {
    if (Array.isArray(kind)) {
      expect(Array.isArray(value), `${where} is a list`).toBe(true);
      kind.forEach((k, i) => check((value as unknown[])[i], k, `${where}[${i}]`));
    } else if (kind === "int" || kind === "float") {
      expect(typeof value, `${where} is a number (a Python ${kind})`).toBe("number");
    } else if (kind === "none") {
      expect(value, where).toBeNull();
    } else if (kind === "bool") {
      expect(typeof value, where).toBe("boolean");
    } else if (scalarTensorsAsNumbers && kind.tensor.length === 0 && typeof value === "number") {
      // a 0-d tensor kept as a number: the same JSON
    } else {
      expect(value, `${where} is a tensor`).toBeInstanceOf(Tensor);
      expect((value as Tensor).shape, `${where} shape`).toEqual(kind.tensor);
      expect((value as Tensor).dtype, `${where} dtype`).toBe(kind.dtype);
    }
  };
  for (const [index, entries] of Object.entries(kinds)) {
    for (const [key, kind] of Object.entries(entries))
      check((state as Record<string, Record<string, unknown>>)[index][key], kind, `${what}: state[${index}].${key}`);
  }
}
