/**
 * Shared pieces of the scheduler tests: tiny optimizers (schedulers only read and write
 * `paramGroups` and `defaults`, so these do nothing on `step()`), the named lambdas of the golden
 * generator, building a scheduler from a stored spec, and the golden fixture itself.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { tensor } from "../../../src/creation.js";
import { Optimizer, type OptimizerStateDict } from "../../../src/optim/optimizer.js";
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  MultiplicativeLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  StepLR,
  type LRScheduler,
  type LrLambda,
  type SchedulerStateDict,
} from "../../../src/optim/lr_scheduler/index.js";

/** SGD's defaults (momentum, dampening, ...), no update. */
export class MomentumOpt extends Optimizer<{
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}> {
  step(): undefined {
    return undefined;
  }
}

/** Adam's defaults (betas, eps, ...), no update. */
export class BetasOpt extends Optimizer<{
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}> {
  step(): undefined {
    return undefined;
  }
}

/** Adagrad's defaults: neither momentum nor betas. */
export class PlainOpt extends Optimizer<{ lr: number; lrDecay: number; weightDecay: number; eps: number }> {
  step(): undefined {
    return undefined;
  }
}

export type OptimizerKind = "sgd" | "sgd_momentum" | "adam" | "adagrad";
export type AnyScheduler = LRScheduler | ReduceLROnPlateau;

/** An optimizer of the kind the generator used in PyTorch, one parameter per group. */
export function makeOptimizer(kind: OptimizerKind, groups: Record<string, unknown>[]): Optimizer {
  const params = groups.map((group) => ({ params: [tensor([0], { requiresGrad: true })], ...group }));
  const lr = groups[0].lr as number;
  switch (kind) {
    case "sgd":
    case "sgd_momentum":
      return new MomentumOpt(params, {
        lr,
        momentum: kind === "sgd" ? 0 : 0.9,
        dampening: 0,
        weightDecay: 0,
        nesterov: false,
      });
    case "adam":
      return new BetasOpt(params, { lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    case "adagrad":
      return new PlainOpt(params, { lr, lrDecay: 0, weightDecay: 0, eps: 1e-10 });
  }
}

/** Two groups at different rates on SGD with momentum, the usual test optimizer. */
export function twoGroups(lrs: [number, number] = [0.1, 0.02], kind: OptimizerKind = "sgd_momentum"): Optimizer {
  return makeOptimizer(kind, [{ lr: lrs[0] }, { lr: lrs[1] }]);
}

// The generator's named functions, one for one (Python's // is Math.floor, % on non-negative ints is %).
export const LAMBDAS: Record<string, (e: number) => number> = {
  book_step: (e) => 0.1 ** Math.floor(e / 2),
  double_plus: (e) => e + 1 + (e + 1),
  exp_095: (e) => 0.95 ** e,
  warmup_10: (e) => Math.min(1.0, (e + 1) / 10),
  inv_sqrt: (e) => 1 / Math.sqrt(e + 1),
  div_30: (e) => Math.floor(e / 30),
  const_095: () => 0.95,
  every_3rd: (e) => (e % 3 === 0 ? 0.5 : 1.0),
  grow_slightly: (e) => 1.001 + 0.0001 * (e % 5),
};
export const SCALE_FNS: Record<string, (x: number) => number> = {
  half_sine: (x) => 0.5 * (1 + Math.sin((x * Math.PI) / 2)),
  inv_cycle: (x) => 1 / x,
  exp_iter: (x) => 0.999 ** x,
};

export interface SchedulerSpec {
  type: string;
  options: Record<string, unknown>;
  children?: SchedulerSpec[];
  otherOptimizer?: boolean;
}

/** Builds the scheduler a stored spec describes (options are already camelCase). */
export function buildScheduler(spec: SchedulerSpec, optimizer: Optimizer, other?: Optimizer): AnyScheduler {
  const target = spec.otherOptimizer ? other! : optimizer;
  const options = { ...spec.options } as Record<string, unknown> & { lrLambda?: string | string[]; scaleFn?: unknown };
  switch (spec.type) {
    case "LambdaLR":
    case "MultiplicativeLR": {
      const names = options.lrLambda!;
      delete options.lrLambda;
      const lambdas: LrLambda | LrLambda[] = Array.isArray(names) ? names.map((n) => LAMBDAS[n]) : LAMBDAS[names];
      return spec.type === "LambdaLR"
        ? new LambdaLR(target, lambdas, options as never)
        : new MultiplicativeLR(target, lambdas, options as never);
    }
    case "StepLR":
      return new StepLR(target, options as never);
    case "MultiStepLR":
      return new MultiStepLR(target, options as never);
    case "ConstantLR":
      return new ConstantLR(target, options as never);
    case "LinearLR":
      return new LinearLR(target, options as never);
    case "ExponentialLR":
      return new ExponentialLR(target, options as never);
    case "PolynomialLR":
      return new PolynomialLR(target, options as never);
    case "CosineAnnealingLR":
      return new CosineAnnealingLR(target, options as never);
    case "CosineAnnealingWarmRestarts":
      return new CosineAnnealingWarmRestarts(target, options as never);
    case "CyclicLR":
      if (typeof options.scaleFn === "string") options.scaleFn = SCALE_FNS[options.scaleFn];
      return new CyclicLR(target, options as never);
    case "OneCycleLR":
      return new OneCycleLR(target, options as never);
    case "ReduceLROnPlateau":
      return new ReduceLROnPlateau(target, options as never);
    case "SequentialLR": {
      const schedulers = spec.children!.map((child) => buildScheduler(child, optimizer, other) as LRScheduler);
      return new SequentialLR(target, { ...(options as { milestones: number[] }), schedulers });
    }
    case "ChainedScheduler":
      return new ChainedScheduler(
        spec.children!.map((child) => buildScheduler(child, optimizer, other) as LRScheduler),
      );
    default:
      throw new Error(`unknown scheduler ${spec.type}`);
  }
}

export type Action = null | number | [number, number];

/** One stored action: `step()`, `step(epoch)`, or for ReduceLROnPlateau `step(metric)` / `step(metric, epoch)`. */
export function act(scheduler: AnyScheduler, action: Action): void {
  if (scheduler instanceof ReduceLROnPlateau) {
    if (Array.isArray(action)) scheduler.step(action[0], action[1]);
    else scheduler.step(action as number);
  } else if (action === null) {
    scheduler.step();
  } else {
    (scheduler as LRScheduler).step(action as number);
  }
}

export function lrsOf(optimizer: Optimizer): number[] {
  return optimizer.paramGroups.map((group) => group.lr);
}

/** Each group's momentum, or β₁ for Adam-like groups. */
export function momentumOf(optimizer: Optimizer): number[] {
  return optimizer.paramGroups.map((group) =>
    Array.isArray(group.betas) ? (group.betas as number[])[0] : (group.momentum as number),
  );
}

/** The strings the generator writes for non-finite floats, back to numbers, all through a value. */
export function revive<T>(value: T): T {
  if (value === "Infinity") return Infinity as T;
  if (value === "-Infinity") return -Infinity as T;
  if (value === "NaN") return NaN as T;
  if (Array.isArray(value)) return value.map(revive) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)])) as T;
  }
  return value;
}

export interface GoldenCase {
  name: string;
  optimizer: OptimizerKind;
  groups: Record<string, unknown>[];
  scheduler: SchedulerSpec;
  actions: Action[];
  lr: number[][];
  momentum?: number[][];
  stateKeys: string[];
  resume?: { at: number; optimizer: OptimizerStateDict; scheduler: SchedulerStateDict };
}

export interface GoldenError {
  name: string;
  optimizer: OptimizerKind;
  groups: Record<string, unknown>[];
  scheduler: SchedulerSpec;
  actions: Action[];
  at: number;
  type: string;
  message: string;
}

export interface Golden {
  torch_version: string;
  cases: GoldenCase[];
  errors: GoldenError[];
  log: { x: number[]; log: number[]; restart: { epoch: number; T0: number; TMult: number; n: number }[] };
  book: {
    StepLR: number[];
    LambdaLR: number[];
    LambdaLR_double_plus_initial: number;
    ReduceLROnPlateau_drop_steps: number[];
  };
  verbose: Record<string, { actions: Action[]; lines: string[] }>;
}

let golden: Golden | undefined;

/** The committed fixture, with non-finite values revived. */
export function loadGolden(): Golden {
  golden ??= revive(
    JSON.parse(
      readFileSync(fileURLToPath(new URL("../../golden/lr_scheduler/lr_scheduler.json", import.meta.url)), "utf8"),
    ) as Golden,
  );
  return golden;
}

/** The agreement the issue asks for: 1e-12 relative to the expected value. */
export const RELATIVE_TOLERANCE = 1e-12;

/** The relative difference of two numbers (0 when identical, both NaN included). */
export function relativeError(actual: number, expected: number): number {
  if (actual === expected || (Number.isNaN(actual) && Number.isNaN(expected))) return 0;
  return Math.abs(actual - expected) / Math.abs(expected);
}

/** Asserts every element agrees within `tolerance` relative, naming the worst one. */
export function expectRelativelyClose(
  actual: readonly number[],
  expected: readonly number[],
  what: string,
  tolerance = RELATIVE_TOLERANCE,
): number {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const error = relativeError(actual[i], expected[i]);
    if (!(error <= tolerance))
      expect.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (relative error ${error})`);
    worst = Math.max(worst, error);
  }
  return worst;
}
