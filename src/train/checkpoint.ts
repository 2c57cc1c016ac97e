/**
 * Checking a checkpoint before the trainer changes anything.
 *
 * A checkpoint is the book's dictionary (`epoch`, `model_state_dict`, `optimizer_state_dict`,
 * `loss`, `val_loss`) plus what gradstep needs to continue exactly: the scheduler's class and state,
 * the learning-rate history and the random generators. `checkCheckpoint` verifies the shape of all
 * of it and that the optimizer's and scheduler's hyper-parameters have the kinds the live objects
 * have (a number stays a number: `lr: "abc"` is refused); the state dicts' tensors are checked by
 * the objects' own `loadStateDict`, which the trainer undoes if a later one fails.
 */
import { Generator, type GeneratorState } from "../random.js";

export const CHECKPOINT_FORMAT = "gradstep-checkpoint";
export const CHECKPOINT_VERSION = 1;

/** A checkpoint whose every field has been checked. */
export interface CheckedCheckpoint {
  epoch: number;
  model_state_dict: Record<string, unknown>;
  optimizer_state_dict: { state: Record<string, unknown>; param_groups: Record<string, unknown>[] };
  scheduler: string | null;
  scheduler_state_dict: Record<string, unknown> | null;
  loss: number[];
  val_loss: number[];
  learning_rates: number[][];
  rng: { default: GeneratorState | null; loader: GeneratorState | null };
}

export interface LiveObjects {
  optimizerStateDict: { param_groups: Record<string, unknown>[] };
  schedulerName: string | null;
  schedulerStateDict: Record<string, unknown> | null;
  hasLoaderGenerator: boolean;
}

/** Throws an Error naming the first field of `c` that is wrong; changes nothing. */
export function checkCheckpoint(c: Record<string, unknown>, live: LiveObjects, source: string): CheckedCheckpoint {
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  if (c.format !== CHECKPOINT_FORMAT) fail(`not a gradstep checkpoint (no "format": "${CHECKPOINT_FORMAT}" field)`);
  if (c.version !== CHECKPOINT_VERSION)
    fail(`checkpoint version ${String(c.version)}; this gradstep reads version ${CHECKPOINT_VERSION}`);
  if (!Number.isSafeInteger(c.epoch) || (c.epoch as number) < 0)
    fail(`"epoch" should be a non-negative integer, got ${show(c.epoch)}`);
  for (const key of ["loss", "val_loss"]) {
    if (!isNumbers(c[key])) fail(`"${key}" should be an array of numbers, got ${show(c[key])}`);
  }
  const rates = c.learning_rates ?? [];
  if (!Array.isArray(rates) || !rates.every(isNumbers))
    fail(`"learning_rates" should be an array of arrays of numbers, got ${show(c.learning_rates)}`);
  if (!isRecord(c.model_state_dict)) fail(`"model_state_dict" should be an object, got ${show(c.model_state_dict)}`);

  const optimizer = c.optimizer_state_dict as CheckedCheckpoint["optimizer_state_dict"];
  if (!isRecord(optimizer) || !isRecord(optimizer.state) || !Array.isArray(optimizer.param_groups)) {
    fail(`"optimizer_state_dict" should be { state, param_groups }, got ${show(optimizer)}`);
  }
  optimizer.param_groups.forEach((group, i) => {
    if (!isRecord(group)) fail(`optimizer_state_dict.param_groups[${i}] should be an object, got ${show(group)}`);
    const liveGroup = live.optimizerStateDict.param_groups[i];
    if (liveGroup) checkKinds(group, liveGroup, `optimizer_state_dict.param_groups[${i}]`, fail);
  });

  if ((c.scheduler ?? null) !== live.schedulerName) {
    fail(`saved with scheduler ${String(c.scheduler ?? "none")}, but this trainer has ${live.schedulerName ?? "none"}`);
  }
  if (live.schedulerStateDict) {
    if (!isRecord(c.scheduler_state_dict))
      fail(`"scheduler_state_dict" should be an object, got ${show(c.scheduler_state_dict)}`);
    checkKinds(
      c.scheduler_state_dict as Record<string, unknown>,
      live.schedulerStateDict,
      "scheduler_state_dict",
      fail,
    );
  }

  const rng = c.rng as CheckedCheckpoint["rng"];
  if (!isRecord(rng)) fail(`"rng" should be { default, loader }, got ${show(c.rng)}`);
  for (const key of ["default", "loader"] as const) {
    if (rng[key] === null || rng[key] === undefined) continue;
    try {
      new Generator().setState(rng[key]!);
    } catch (error) {
      fail(`rng.${key} is not a generator state: ${(error as Error).message}`);
    }
  }
  if (rng.loader && !live.hasLoaderGenerator)
    fail("it saved the training loader's generator, but this trainer's loader has none");
  return {
    ...(c as unknown as CheckedCheckpoint),
    learning_rates: rates as number[][],
    rng: { default: rng.default ?? null, loader: rng.loader ?? null },
  };
}

/**
 * Each saved value that the live object also has must be of the same kind: a number, a boolean, a
 * string, or an array of numbers of the same length. (Tensors, nested state and values the live
 * object has as null are left to loadStateDict.)
 */
function checkKinds(
  saved: Record<string, unknown>,
  live: Record<string, unknown>,
  where: string,
  fail: (m: string) => never,
): void {
  for (const [key, expected] of Object.entries(live)) {
    if (!(key in saved) || expected === null || expected === undefined || key === "params") continue;
    const value = saved[key];
    const kind = typeof expected;
    if (kind === "number" || kind === "boolean" || kind === "string") {
      if (typeof value !== kind)
        fail(`${where}.${key} should be a ${kind} like this trainer's ${show(expected)}, got ${show(value)}`);
    } else if (isNumbers(expected)) {
      if (!isNumbers(value) || value.length !== expected.length)
        fail(`${where}.${key} should be ${expected.length} numbers, got ${show(value)}`);
    }
  }
}

function isRecord(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isNumbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === "number");
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null || value === undefined) return String(value);
  return typeof value === "object" ? "an object" : String(value);
}
