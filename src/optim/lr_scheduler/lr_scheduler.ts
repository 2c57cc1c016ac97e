/**
 * The base of the epoch schedulers, as PyTorch 1.13's `torch.optim.lr_scheduler._LRScheduler`.
 *
 * A scheduler writes learning rates into its optimizer's `paramGroups`. Construction
 *
 * 1. records each group's starting rate as `initialLr` (`initial_lr` in a state dict), unless a
 *    group already has one — so a second scheduler on the same optimizer starts from the same base;
 *    with `lastEpoch ≥ 0` (resuming) every group must already have it;
 * 2. sets `baseLrs` to those initial rates and `lastEpoch` to the given value (−1 for a fresh start);
 * 3. takes the *initial step*: `lastEpoch` becomes 0 and the rates for epoch 0 are written at once
 *    (so `LambdaLR` with λ(0) = 2 doubles the rate before the first `optimizer.step()`).
 *
 * `step()` adds one to `lastEpoch` and asks `getLr()` for the new rates. `getLr()` is PyTorch's
 * *chainable* form: it computes the new rate from the group's current `lr` (lr ← lr · γ), so several
 * schedulers can act on one optimizer (`ChainedScheduler`) and other code may change rates in
 * between. `step(epoch)` (deprecated in PyTorch, kept for compatibility: it warns once) jumps to
 * `epoch` and uses the *closed form* `closedFormLr()` (lr = base · γ^epoch) where a scheduler has one.
 *
 * TypeScript runs a subclass's field initialisers only after `super()` returns, while PyTorch sets
 * a scheduler's fields before calling the base `__init__`. So the base constructor does steps 1–2
 * and each concrete scheduler calls `this.initialStep()` as the last line of its constructor.
 * A scheduler of your own: extend `LRScheduler`, implement `getLr()`, call `initialStep()`.
 *
 * What is saved is one table per scheduler, `savedFields`: PyTorch's key → the field holding it
 * (`{ step_size: "stepSize", gamma: "gamma" }`). The base's `stateDict()` writes the table's fields
 * and its own (`base_lrs`, `last_epoch`, `_step_count`, `_last_lr`, ...), so a JSON dump of a
 * PyTorch scheduler's `state_dict()` loads here; `loadStateDict()` overwrites the saved fields and
 * leaves the rest alone (PyTorch's `__dict__.update`). Only state that is more than a field (the
 * lambdas' objects, child schedulers, MultiStepLR's counter) needs an override.
 * Load the optimizer's state too: the chainable form continues from its rates.
 */
import { describeValue } from "../../options.js";
import { Optimizer } from "../optimizer.js";

/** A scheduler's state with PyTorch's (snake_case) keys. */
export type SchedulerStateDict = Record<string, unknown>;

/** A parameter group as schedulers see it: its rate and any other keys (`initialLr`, `momentum`, `betas`, ...). */
export type SchedulerGroup = { lr: number; [key: string]: unknown };

/** Options every epoch scheduler takes. */
export interface SchedulerOptions {
  /** The index of the last epoch; −1 (the default) starts the schedule, a larger value resumes it. */
  lastEpoch?: number;
  /** Print a line for every rate change, in PyTorch's words. */
  verbose?: boolean;
}

export const EPOCH_DEPRECATION_WARNING =
  "The epoch parameter in `scheduler.step()` was not necessary and is being " +
  "deprecated where possible. Please use `scheduler.step()` to step the " +
  "scheduler. During the deprecation, if epoch is different from None, the " +
  "closed form is used instead of the new chainable form, where available. " +
  "Please open an issue if you are unable to replicate your use case: " +
  "https://github.com/pytorch/pytorch/issues/new/choose.";

const warned = new Set<string>();

/** `console.warn` a message the first time only (Python shows a warning once per call site). */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}

/** PyTorch's check that a scheduler was given an optimizer: "X is not an Optimizer". */
export function checkOptimizer(optimizer: unknown): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) {
    const name =
      optimizer === null || optimizer === undefined
        ? "NoneType"
        : ((optimizer as object).constructor?.name ?? typeof optimizer);
    throw new TypeError(`${name} is not an Optimizer`);
  }
}

/** An optimizer's groups as schedulers read and write them. */
export function groupsOf(optimizer: Optimizer): SchedulerGroup[] {
  return optimizer.paramGroups as unknown as SchedulerGroup[];
}

/**
 * A per-group option given as one number or one value per group (PyTorch's `_format_param`):
 * "expected 2 values for max_lr, got 3".
 */
export function perGroup<T>(name: string, optimizer: Optimizer, value: T | readonly T[]): T[] {
  const count = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== count) throw new RangeError(`expected ${count} values for ${name}, got ${value.length}`);
    return [...value];
  }
  return Array.from({ length: count }, () => value as T);
}

/**
 * `stateDict[key]` when the dict has it, else `current` (PyTorch loads with `__dict__.update`, so
 * keys left out keep their value). Arrays are copied so the scheduler never shares them. Where the
 * field holds a number (or numbers), the saved value must be one: `JSON.stringify` writes Infinity
 * and NaN as `null`, and loading that as a number would silently change the schedule.
 */
export function loaded<T>(stateDict: SchedulerStateDict, key: string, current: T): T {
  if (!(key in stateDict)) return current;
  const value = stateDict[key];
  const numbers =
    typeof current === "number" ||
    (Array.isArray(current) && current.length > 0 && current.every((x) => typeof x === "number"));
  const ok =
    typeof current === "number"
      ? typeof value === "number"
      : !numbers || (Array.isArray(value) && value.every((x) => typeof x === "number"));
  if (!ok) {
    const hint = JSON.stringify(value)?.includes("null")
      ? " (JSON.stringify writes Infinity and NaN as null: save with stateDictToJSON and load with stateDictFromJSON)"
      : "";
    throw new TypeError(
      `loadStateDict: '${key}' should be ${typeof current === "number" ? "a number" : "a list of numbers"}, got ${describeValue(value)}${hint}`,
    );
  }
  return (Array.isArray(value) ? [...value] : value) as T;
}

/** A scheduler's saved fields: PyTorch's state-dict key → the name of the field that holds it. */
export type SavedFields = Readonly<Record<string, string>>;

/** The fields of `table` read from `owner` under their state-dict keys (undefined ones left out). */
export function saveFields(owner: object, table: SavedFields): SchedulerStateDict {
  const state: SchedulerStateDict = {};
  for (const [key, field] of Object.entries(table)) {
    const value = fieldOf(owner, field);
    if (value !== undefined) state[key] = Array.isArray(value) ? [...value] : value;
  }
  return state;
}

/** Writes the keys of `table` that `stateDict` has into `owner`'s fields, after checking them all. */
export function loadFields(owner: object, table: SavedFields, stateDict: SchedulerStateDict): void {
  const values = Object.entries(table).map(
    ([key, field]) => [field, loaded(stateDict, key, fieldOf(owner, field))] as const,
  );
  for (const [field, value] of values) (owner as Record<string, unknown>)[field] = value;
}

function fieldOf(owner: object, field: string): unknown {
  // a misspelt table entry is a bug in gradstep: say so at once rather than save `undefined`
  if (!(field in owner)) throw new Error(`${owner.constructor.name} saves a field '${field}' that it does not have`);
  return (owner as Record<string, unknown>)[field];
}

/** Throws unless `stateDict` is an object, before anything is loaded. */
export function checkStateDict(stateDict: unknown): asserts stateDict is SchedulerStateDict {
  if (stateDict === null || typeof stateDict !== "object" || Array.isArray(stateDict)) {
    throw new TypeError("loadStateDict: expected an object as produced by stateDict()");
  }
}

/** What every LRScheduler saves, after its own fields (the order of PyTorch's `__dict__`). */
const BASE_FIELDS: SavedFields = {
  base_lrs: "baseLrs",
  last_epoch: "lastEpoch",
  verbose: "verbose",
  _step_count: "stepCount",
  _last_lr: "lastLr",
};

/** Python's `'{:.4e}'.format(x)`: `1.0000e-02`. */
export function formatScientific(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return x.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
}

/** Python's `"%.5d" % epoch` for whole epochs and `"%.2f"` for fractional ones. */
export function formatEpoch(epoch: number): string {
  if (!Number.isInteger(epoch)) return epoch.toFixed(2);
  const digits = String(Math.abs(epoch)).padStart(5, "0");
  return epoch < 0 ? `-${digits}` : digits;
}

export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** Each group's starting rate (`initialLr`), the η_max or base of the formulas. */
  baseLrs: number[];
  /** The epoch (or batch) the current rates belong to: 0 after construction. */
  lastEpoch: number;
  verbose: boolean;
  /** How many times `step()` has run, the initial step included (PyTorch's `_step_count`). */
  protected stepCount = 0;
  /** The rates the last step wrote (PyTorch's `_last_lr`). */
  protected lastLr: number[] = [];
  /** This scheduler's own saved fields, PyTorch's key → field (the base adds its own). */
  protected readonly savedFields: SavedFields = {};

  constructor(optimizer: Optimizer, lastEpoch = -1, verbose = false) {
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    const groups = groupsOf(optimizer);
    if (lastEpoch === -1) {
      for (const group of groups) if (!("initialLr" in group)) group.initialLr = group.lr;
    } else {
      groups.forEach((group, i) => {
        if (!("initialLr" in group)) {
          throw new Error(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
        }
      });
    }
    this.baseLrs = groups.map((group) => group.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.verbose = verbose;
  }

  /** The optimizer's groups, read fresh (loading an optimizer state replaces the array). */
  protected get groups(): SchedulerGroup[] {
    return groupsOf(this.optimizer);
  }

  /** The current rate of every group. */
  protected currentLrs(): number[] {
    return this.groups.map((group) => group.lr);
  }

  /** Resets the step count and takes the step to epoch `lastEpoch + 1` (the end of every constructor). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The rates for `lastEpoch`, computed from the groups' current rates (the chainable form). */
  protected abstract getLr(): number[];

  /** The rates for `lastEpoch` computed from `baseLrs` alone (the closed form), where one exists. */
  protected closedFormLr?(): number[];

  /**
   * Moves to the next epoch and writes its rates. With `epoch` (deprecated in PyTorch), jumps to
   * that epoch and uses the closed form where the scheduler has one.
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      warnOnce(EPOCH_DEPRECATION_WARNING);
      this.lastEpoch = epoch;
      values = this.closedFormLr !== undefined ? this.closedFormLr() : this.getLr();
    }
    this.writeLrs(values, epoch);
  }

  /** Sets each group's `lr`, reports it when verbose, and remembers the rates for `getLastLr()`. */
  protected writeLrs(values: readonly number[], epoch?: number): void {
    const groups = this.groups;
    const count = Math.min(groups.length, values.length); // Python's zip
    for (let i = 0; i < count; i++) {
      groups[i].lr = values[i];
      this.printLr(i, values[i], epoch);
    }
    this.lastLr = this.currentLrs();
  }

  /** PyTorch's verbose line: "Adjusting learning rate of group 0 to 1.0000e-02." */
  protected printLr(group: number, lr: number, epoch?: number): void {
    if (!this.verbose) return;
    if (epoch === undefined) console.log(`Adjusting learning rate of group ${group} to ${formatScientific(lr)}.`);
    else
      console.log(`Epoch ${formatEpoch(epoch)}: adjusting learning rate of group ${group} to ${formatScientific(lr)}.`);
  }

  /** The rates the last step wrote, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The saved state: `base_lrs`, `last_epoch`, `verbose`, `_step_count`,
   * `_get_lr_called_within_step` (always false between calls) and `_last_lr`, plus each
   * scheduler's own fields. The optimizer is not included; save it separately.
   */
  stateDict(): SchedulerStateDict {
    return {
      ...saveFields(this, this.savedFields),
      ...saveFields(this, BASE_FIELDS),
      _get_lr_called_within_step: false,
    };
  }

  /**
   * Overwrites the fields present in `stateDict` (from `stateDict()` here or a PyTorch JSON dump);
   * a value of the wrong kind (null for a number) is an error that leaves the scheduler untouched.
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    checkStateDict(stateDict);
    loadFields(this, { ...this.savedFields, ...BASE_FIELDS }, stateDict);
  }
}
