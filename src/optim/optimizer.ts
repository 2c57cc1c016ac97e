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
 */
import { enableGrad, noGrad } from "../autograd.js";
import { tensor } from "../creation.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** Hyper-parameters common to every optimizer: each has at least a learning rate. */
export interface BaseOptions {
  lr: number;
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

/** `weightDecay` → `weight_decay`, `initialLr` → `initial_lr`. */
export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
/** `weight_decay` → `weightDecay`. */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  readonly defaults: O;
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  state = new Map<Tensor, ParamState>();

  constructor(params: Iterable<Tensor | ParamGroupInput<O>> | Tensor, defaults: O) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError("params argument given to the optimizer should be an iterable of Tensors or groups, but got a Tensor");
    }
    const list = [...params];
    if (list.length === 0) throw new RangeError("optimizer got an empty parameter list");
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>] : (list as ParamGroupInput<O>[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** Adds a group; options it leaves out take the optimizer's defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== "object" || !("params" in group)) {
      throw new TypeError("param group must be an object with a 'params' entry");
    }
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${String(p)}`);
      if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
    }
    if (new Set(params).size !== params.length) {
      console.warn("optimizer contains a parameter group with duplicate parameters; in future, this will cause an error");
    }
    const existing = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => existing.has(p))) throw new Error("some parameters appear in more than one parameter group");
    const filled = { ...this.defaults, ...group, params } as ParamGroup<O>;
    this.validateGroup(filled);
    this.paramGroups.push(filled);
  }

  /**
   * Checks a group's hyper-parameters with PyTorch's messages. Subclasses check their own
   * options in the constructor (as PyTorch does); groups added later go through this hook.
   */
  protected validateGroup(_group: ParamGroup<O>): void {}

  /** Clears gradients: sets them to null (the default) or fills them with zeros. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else noGrad(() => p.grad!.zero_());
      }
    }
  }

  /** One update of every parameter that has a gradient; returns the closure's loss if one is given. */
  abstract step(closure?: Closure): number | undefined;

  /** Evaluates the closure with gradients recorded (PyTorch wraps it in `enable_grad`). */
  protected evaluate(closure: Closure | undefined): number | undefined {
    if (closure === undefined) return undefined;
    const loss = enableGrad(closure);
    return typeof loss === "number" ? loss : loss.item();
  }

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** PyTorch's layout: `{ state: { index: {...} }, param_groups: [{ ...snake_case options, params: [indices] }] }`. */
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
      if (i !== undefined) state[i] = { ...s };
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Loads a dict from `stateDict()` here or from PyTorch (tensors may be given as nested arrays or
   * numbers, as in a JSON dump). Groups must match in number and size, and every state tensor must
   * have its parameter's shape; otherwise it throws and nothing changes.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    if (stateDict === null || typeof stateDict !== "object" || !Array.isArray(stateDict.param_groups) || typeof stateDict.state !== "object") {
      throw new TypeError("loadStateDict: expected an object { state, param_groups } as produced by stateDict()");
    }
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(`loaded state dict has a different number of parameter groups (${saved.length}, the optimizer has ${this.paramGroups.length})`);
    }
    saved.forEach((g, i) => {
      const n = Array.isArray(g.params) ? g.params.length : -1;
      if (n !== this.paramGroups[i].params.length) {
        throw new RangeError(`loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${i}: ${n} saved, ${this.paramGroups[i].params.length} here)`);
      }
    });
    // saved index → live parameter, in the order both sides list them
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, i) => (g.params as number[]).forEach((id, j) => byIndex.set(Number(id), this.paramGroups[i].params[j])));

    const state = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new RangeError(`loaded state dict has state for parameter ${key}, which no group lists`);
      const converted: ParamState = {};
      for (const [name, value] of Object.entries(entry)) converted[name] = this.stateValueFor(p, name, value);
      state.set(p, converted);
    }
    const groups = saved.map((g, i) => {
      const group: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(g)) {
        if (key !== "params") group[snakeToCamel(key)] = Array.isArray(value) ? [...value] : value;
      }
      group.params = this.paramGroups[i].params;
      return group as ParamGroup<O>;
    });
    this.state = state;
    this.paramGroups = groups;
  }

  /**
   * One saved state value made live: tensors (or arrays from JSON) become tensors of the
   * parameter's dtype (except `step`, which PyTorch keeps as float32), shape-checked.
   */
  protected stateValueFor(p: Tensor, name: string, value: unknown): unknown {
    if (typeof value === "number" && name === "step") return tensor(value);
    if (!(value instanceof Tensor) && !Array.isArray(value)) return value;
    if (Array.isArray(value) && !isNumeric(value)) return value; // lists of other things (LBFGS history) pass as they are
    const t = value instanceof Tensor ? value : tensor(value as number[]);
    if (name === "step") return noGrad(() => t.to("float32").clone());
    const fitted = t.numel() === p.numel() && t.shape.length !== p.shape.length ? t.reshape([...p.shape]) : t;
    if (fitted.shape.length !== p.shape.length || fitted.shape.some((d, i) => d !== p.shape[i])) {
      throw new RangeError(`loaded state '${name}' has shape ${formatShape(fitted.shape)} but its parameter has shape ${formatShape(p.shape)}`);
    }
    return noGrad(() => fitted.to(p.dtype).clone());
  }
}

function isNumeric(value: unknown): boolean {
  if (typeof value === "number") return true;
  return Array.isArray(value) && value.every(isNumeric);
}
