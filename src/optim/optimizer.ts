/**
 * The base of every optimizer, as `torch.optim.Optimizer`.
 *
 * An optimizer holds parameter groups (each a list of parameters plus its own hyper-parameters,
 * camelCase here: `{ params, lr, weightDecay }`) and a per-parameter state created lazily on the
 * first step (PyTorch's names: `exp_avg`, `momentum_buffer`, `step`, ...). Schedulers change the
 * rates by writing into `paramGroups`, exactly as they write into `param_groups` in PyTorch.
 *
 * `stateDict()` produces PyTorch's layout with snake_case keys: parameters are replaced by their
 * position across all groups, so a dict saved by PyTorch (e.g. dumped to JSON) loads here and back.
 * Each optimizer lists the state it keeps (`stateLayout`), so a loaded dict becomes state of the
 * kind PyTorch 1.13 keeps: a tensor shaped like the parameter, a 0-d float32 tensor, or a number.
 */
import { enableGrad, noGrad } from "../autograd.js";
import { clearGrad, heldTensors, tidy } from "../memory.js";
import { tensor } from "../creation.js";
import { camelCase, checkOptions, checkOptionTypes } from "../options.js";
import { formatShape, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** Hyper-parameters common to every optimizer: each has at least a learning rate. */
export interface BaseOptions {
  lr: number;
}

/**
 * PyTorch's switches between implementations of the same algorithm (a multi-tensor loop, CUDA-graph
 * capture, autograd through the step, a fused kernel). gradstep has one implementation, PyTorch's
 * single-tensor loop, so they change nothing (except `capturable` of Adam and AdamW, which keeps
 * the bias corrections in tensors for `capture()`); each group still carries the ones its PyTorch
 * optimizer has, with PyTorch's defaults, so that state dicts keep PyTorch's keys and values.
 */
export interface ImplementationFlags {
  foreach: boolean | null;
  capturable: boolean;
  differentiable: boolean;
  fused: boolean;
}

/** A group as the user passes it: its parameters and any options that differ from the defaults. */
export type ParamGroupInput<O> = { params: Iterable<Tensor> | Tensor } & Partial<O>;

/** A group as the optimizer holds it: every option filled in. Other keys (like `initialLr`) may be added by schedulers. */
export type ParamGroup<O> = O & { params: Tensor[]; [extra: string]: unknown };

/** What an optimizer remembers about one parameter (PyTorch's names, e.g. `exp_avg`). */
export type ParamState = Record<string, unknown>;

/** A loss-computing function for optimizers that re-evaluate the model (LBFGS), or to get the loss back from `step`. */
export type Closure = () => Tensor | number;

export interface OptimizerStateDict {
  state: Record<number, Record<string, unknown>>;
  param_groups: Record<string, unknown>[];
}

/**
 * How PyTorch 1.13 stores one per-parameter state entry:
 * * `"tensor"`: a tensor shaped like its parameter (`exp_avg`, `momentum_buffer`, ...; null allowed);
 * * `"scalar"`: a 0-d tensor (`step` of Adam & co. is float32, `mu_product`, `eta`, `mu`);
 * * `"number"`: a plain number (a Python int, like RMSprop's `step`).
 */
export type StateKind = "tensor" | "scalar" | "number";

/** How an optimizer stores each entry of its state `S`: one `StateKind` per key, none forgotten. */
export type StateLayout<S> = { readonly [K in keyof S]-?: StateKind };

/** `weightDecay` → `weight_decay`, `initialLr` → `initial_lr`. */
export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * A number as Python's `str()` writes it, so error messages read exactly as PyTorch's:
 * `1e-05`, `nan`, `inf`. A whole number is written as Python writes an int (`-1`), since a JS
 * number does not say whether it was meant as an int or a float.
 */
export function formatLikePython(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return Object.is(x, -0) ? "-0.0" : String(x);
  // Python switches to exponent notation below 1e-4 and from 1e16, with at least two exponent digits
  const [mantissa, exponentText] = x.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(x);
}

/**
 * `{ ...defaults, ...options }`, except that options given as `undefined` keep the default, after
 * `checkOptions` (an unknown key such as `weight_decay` or `momentun` is an error, as PyTorch's
 * "unexpected keyword argument") and `checkOptionTypes` against `examples` (the defaults, plus a
 * value of the right type for an option without default, like SGD's `lr`). `where` names the
 * optimizer in the errors.
 */
export function withDefaults<O extends object>(
  where: string,
  defaults: O,
  options: Partial<O> | undefined,
  examples: object = defaults,
): O {
  const given = checkOptions(where, options, Object.keys(defaults));
  checkOptionTypes(where, given, examples);
  return fill(defaults, given);
}

function fill<O extends object>(defaults: O, options: Partial<O>): O {
  const filled = { ...defaults };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (filled as Record<string, unknown>)[key] = value;
  }
  return filled;
}

/**
 * `O` is the optimizer's options, `S` what it remembers per parameter (e.g. `AdamState`), with
 * PyTorch's snake_case names so that the state dict needs no translation.
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends object = object> {
  readonly defaults: O;
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  state = new Map<Tensor, S>();
  /** The per-parameter state entries this optimizer keeps, and how PyTorch stores each. */
  protected readonly stateLayout: Readonly<Record<string, StateKind>> = {};

  /**
   * Checks `defaults` (PyTorch's constructor checks, with its messages), then adds the groups.
   * An option whose default is `undefined` is required: every group must give it (SGD's `lr`).
   */
  constructor(params: Iterable<Tensor | ParamGroupInput<O>> | Tensor, defaults: O) {
    this.validateGroup(defaults);
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(
        "params argument given to the optimizer should be an iterable of Tensors or groups, but got a Tensor",
      );
    }
    const list = [...params];
    if (list.length === 0) throw new RangeError("optimizer got an empty parameter list");
    const groups =
      list[0] instanceof Tensor
        ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>]
        : (list as ParamGroupInput<O>[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** Adds a group; options it leaves out take the optimizer's defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== "object" || !("params" in group)) {
      throw new TypeError("param group must be an object with a 'params' entry");
    }
    if (group.params instanceof Set) {
      throw new TypeError(
        "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.",
      );
    }
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor))
        throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${String(p)}`);
      if (!p.isLeaf) throw new RangeError("can't optimize a non-leaf Tensor");
    }
    const options = { ...group } as Record<string, unknown>;
    delete options.params;
    for (const key of Object.keys(options)) {
      // PyTorch keeps extra keys in a group (users tag groups with names), so only a snake_case
      // spelling of a real option is an error: kept silently, it would be ignored here and then
      // written to the state dict, where it would override the real option after loading.
      if (!(key in this.defaults) && camelCase(key) !== key && camelCase(key) in this.defaults) {
        throw new TypeError(
          `param group got an unexpected option '${key}' (did you mean '${camelCase(key)}'? options are camelCase)`,
        );
      }
    }
    checkOptionTypes("param group", options, this.defaults);
    const filled = { ...fill(this.defaults, options as Partial<O>), params } as ParamGroup<O>;
    for (const [name, value] of Object.entries(filled)) {
      if (value === undefined)
        throw new RangeError(`parameter group didn't specify a value of required optimization parameter ${name}`);
    }
    if (new Set(params).size !== params.length) {
      console.warn(
        "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error",
      );
    }
    const existing = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => existing.has(p)))
      throw new RangeError("some parameters appear in more than one parameter group");
    this.validateGroup(filled);
    this.paramGroups.push(filled);
  }

  /**
   * Checks hyper-parameters with PyTorch's messages. Called on the defaults (as PyTorch's
   * constructors do) and on every group (PyTorch does not check groups; a group with a negative
   * learning rate is almost surely a mistake, so gradstep says so).
   */
  protected validateGroup(_group: O): void {}

  /** Clears gradients: sets them to null (the default, which frees autograd-made ones; see `clearGrad`) or fills them with zeros. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) clearGrad(p, setToNone);
    }
  }

  /** One update of every parameter that has a gradient; returns the closure's loss if one is given. */
  abstract step(closure?: Closure): number | undefined;

  /**
   * Runs `fn`, an update of the parameters, as PyTorch's `@torch.no_grad()` step does, and frees every
   * temporary tensor it makes when it returns: only the parameters and this optimizer's state survive
   * (a `tidy` that keeps this optimizer), so a training loop needs no `tidy` for the update.
   */
  protected update(fn: () => void): void {
    tidy(() => noGrad(fn), this);
  }

  /** Evaluates the closure with gradients recorded (PyTorch wraps it in `enable_grad`). */
  protected evaluate(closure: Closure | undefined): number | undefined {
    if (closure === undefined) return undefined;
    const loss = enableGrad(closure);
    return typeof loss === "number" ? loss : loss.item();
  }

  /**
   * The state of `p`, made by `init` on first use (PyTorch's `if len(state) == 0:` block). Without
   * `init` the state starts empty, for an optimizer whose state is an untyped record.
   */
  protected stateOf(p: Tensor, init: () => S = () => ({}) as S): S {
    let s = this.state.get(p);
    if (s === undefined) {
      s = init();
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * PyTorch's layout: `{ state: { index: {...} }, param_groups: [{ ...snake_case options, params: [indices] }] }`.
   * As in PyTorch, state tensors are the live ones (not copies).
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key !== "params") packed[camelToSnake(key)] = Array.isArray(value) ? [...value] : value;
      }
      packed.params = group.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return packed;
    });
    const state: Record<number, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = Object.fromEntries(Object.entries(s));
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Loads a dict from `stateDict()` here or from PyTorch (tensors may be given as nested arrays or
   * numbers, as in a JSON dump). Groups must match in number and size, and every state tensor must
   * have its parameter's shape; otherwise it throws and nothing changes. Options a saved group
   * lacks (a dict from an older PyTorch) take the defaults, as PyTorch's `__setstate__` does.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    if (
      stateDict === null ||
      typeof stateDict !== "object" ||
      !Array.isArray(stateDict.param_groups) ||
      typeof stateDict.state !== "object" ||
      stateDict.state === null
    ) {
      throw new TypeError("loadStateDict: expected an object { state, param_groups } as produced by stateDict()");
    }
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(
        `loaded state dict has a different number of parameter groups (${saved.length}, the optimizer has ${this.paramGroups.length})`,
      );
    }
    saved.forEach((g, i) => {
      const n = Array.isArray(g.params) ? g.params.length : -1;
      if (n !== this.paramGroups[i].params.length) {
        throw new RangeError(
          `loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${i}: ${n} saved, ${this.paramGroups[i].params.length} here)`,
        );
      }
    });
    // saved index → live parameter, in the order both sides list them
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, i) =>
      (g.params as number[]).forEach((id, j) => byIndex.set(Number(id), this.paramGroups[i].params[j])),
    );

    const state = new Map<Tensor, S>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined)
        throw new RangeError(`loaded state dict has state for parameter ${key}, which no group lists`);
      if (entry === null || typeof entry !== "object")
        throw new TypeError(`loaded state for parameter ${key} is not an object`);
      const converted: ParamState = {};
      for (const [name, value] of Object.entries(entry)) converted[name] = this.stateValueFor(p, name, value);
      // the layout has converted every entry it names to the kind this optimizer keeps
      state.set(p, converted as S);
    }
    const groups = saved.map((g, i) => {
      const group: Record<string, unknown> = { ...(this.defaults as object) };
      for (const [key, value] of Object.entries(g)) {
        if (key !== "params") group[camelCase(key)] = Array.isArray(value) ? [...value] : value;
      }
      // a null where a number belongs is what JSON.stringify makes of Infinity or NaN: loading it
      // as is would train with NaN rates, so it is an error (stateDictToJSON keeps such numbers)
      checkOptionTypes(`loaded param_groups[${i}]`, group, { ...this.paramGroups[i], params: undefined });
      group.params = this.paramGroups[i].params;
      return group as ParamGroup<O>;
    });
    this.state = state;
    this.paramGroups = groups;
  }

  /**
   * One saved state value made live according to `stateLayout`: a copy, never the saved object
   * itself (PyTorch deep-copies too). Entries the layout does not name pass through unchanged.
   */
  protected stateValueFor(p: Tensor, name: string, value: unknown): unknown {
    const kind = this.stateLayout[name];
    if (kind === undefined || (value === null && kind === "tensor")) return value;
    const what = `loaded state '${name}'`;
    if (kind === "number") {
      if (value instanceof Tensor && value.numel() === 1) return value.item();
      if (typeof value !== "number") throw new TypeError(`${what} should be a number, got ${describe(value)}`);
      return value;
    }
    const t = toTensor(value, what);
    if (kind === "scalar") {
      if (t.numel() !== 1) throw new RangeError(`${what} should hold one number, got shape ${formatShape(t.shape)}`);
      // PyTorch casts loaded state to the parameter's dtype, except `step`, which stays float32
      return noGrad(() =>
        t
          .reshape([])
          .to(name === "step" ? "float32" : p.dtype)
          .clone(),
      );
    }
    if (!sameShape(t.shape, p.shape)) {
      throw new RangeError(
        `${what} has shape ${formatShape(t.shape)} but its parameter has shape ${formatShape(p.shape)}`,
      );
    }
    return noGrad(() => t.to(p.dtype).clone());
  }

  /** What `tidy` keeps for an optimizer: its parameters and its per-parameter state. */
  [heldTensors](): Iterable<unknown> {
    return [...this.paramGroups.flatMap((group) => group.params), ...this.state.values()];
  }
}

/** A tensor from a tensor, a number or nested arrays of numbers (as JSON writes tensors). */
export function toTensor(value: unknown, what: string): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value === "number" || (Array.isArray(value) && isNumeric(value))) return tensor(value as number[]);
  throw new TypeError(`${what} should be a tensor or (nested) arrays of numbers, got ${describe(value)}`);
}

function isNumeric(value: unknown): boolean {
  if (typeof value === "number") return true;
  return Array.isArray(value) && value.every(isNumeric);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array that is not numbers";
  return value === null ? "null" : typeof value;
}
