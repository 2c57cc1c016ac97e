/**
 * `Module`, the base of every layer and model, as in PyTorch.
 *
 * PyTorch finds a model's parameters through `__setattr__`: assigning a `Parameter` or a `Module`
 * to an attribute registers it, in assignment order, and that order gives the state-dict keys
 * (`"conv1.weight"`, `"0.bias"`). gradstep does the same with a Proxy: assignments (and class
 * fields) on a module are seen by `register`, so
 *
 *     class Net extends nn.Module { fc = new nn.Linear(2, 1); forward(x) { return this.fc.call(x); } }
 *
 * has the parameters `fc.weight` and `fc.bias`, exactly like the PyTorch class.
 */
import { noGrad } from "../autograd.js";
import { clearGrad, heldTensors } from "../memory.js";
import { formatShape, sameShape } from "../shape.js";
import { tensor } from "../creation.js";
import { Tensor } from "../tensor.js";

/** A tensor that is a module's learnable parameter (requires grad unless told otherwise). */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.backend);
    if (requiresGrad) this.requiresGrad_(true);
  }
}

/** A forward hook sees (module, inputs, output); returning a value replaces the output. */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A state-dict value as JSON or a typed array holds it (see `stateDictTensors`). */
export type StateValue = number | readonly StateValue[] | ArrayLike<number>;

/**
 * Tensors for the values of a loaded state dict: nested arrays (what `JSON.stringify` writes via
 * `Tensor.toJSON`) become tensors of the parameter's dtype; a typed array, which has no shape of its
 * own, takes the parameter's shape when it has as many elements. Anything else is left for the
 * caller's checks to reject.
 */
function stateDictTensors(given: Record<string, unknown>, own: Record<string, Tensor>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const target = own[key];
    if (value instanceof Tensor || target === undefined) out[key] = value;
    else if (ArrayBuffer.isView(value) && (value as unknown as ArrayLike<number>).length === target.numel()) {
      out[key] = tensor(value as unknown as ArrayLike<number>, { dtype: target.dtype }).reshape(
        target.shape as number[],
      );
    } else if (typeof value === "number" || isNumericList(value) || ArrayBuffer.isView(value)) {
      out[key] = tensor(value as number[], { dtype: target.dtype });
    } else out[key] = value;
  }
  return out;
}

function isNumericList(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === "number" || isNumericList(v));
}

export class Module {
  /** Train mode (dropout active) or eval mode; set with `train()` / `eval()`. */
  training = true;
  private readonly registeredParameters = new Map<string, Parameter | null>();
  private readonly registeredModules = new Map<string, Module>();
  /** Tensors that are state but not parameters (BatchNorm's running statistics), PyTorch's buffers. */
  private readonly registeredBuffers = new Map<string, Tensor | null>();
  private readonly forwardHooks: ForwardHook[] = [];

  constructor() {
    // Every later assignment or class field on the module goes through `register`.
    return new Proxy(this, {
      set: (target, name, value, receiver) => {
        if (typeof name === "string") target.register(name, value);
        return Reflect.set(target, name, value, receiver);
      },
      defineProperty: (target, name, descriptor) => {
        if (typeof name === "string" && "value" in descriptor) target.register(name, descriptor.value);
        return Reflect.defineProperty(target, name, descriptor);
      },
    });
  }

  /** Records parameters and submodules by attribute name, keeping the first assignment's position. */
  private register(name: string, value: unknown): void {
    if (this.registeredParameters === undefined) return; // fields of the base class itself
    if (value instanceof Parameter) {
      this.registeredModules.delete(name);
      this.registeredParameters.set(name, value);
    } else if (value instanceof Module) {
      this.registeredParameters.delete(name);
      this.registeredModules.set(name, value);
    } else if (value === null && this.registeredParameters.has(name)) {
      this.registeredParameters.set(name, null); // PyTorch allows `self.bias = None`
    } else if (value instanceof Tensor && this.registeredParameters.has(name)) {
      throw new TypeError(`cannot assign a plain Tensor as parameter '${name}' (nn.Parameter or null expected)`);
    } else if (this.registeredBuffers?.has(name) && (value === null || value instanceof Tensor)) {
      this.registeredBuffers.set(name, value as Tensor | null);
    } else {
      this.registeredParameters.delete(name);
      this.registeredModules.delete(name);
    }
  }

  /** Registers a submodule under a name that need not be an identifier (Sequential uses "0", "1", ...). */
  addModule(name: string, module: Module): void {
    if (!(module instanceof Module)) throw new TypeError(`addModule('${name}'): ${String(module)} is not a Module`);
    if (name.includes(".") || name === "")
      throw new RangeError(`module name can't contain "." or be empty, got '${name}'`);
    (this as Record<string, unknown>)[name] = module;
  }

  /** Registers a parameter under `name` (or null for an absent one, like a bias-free layer's bias). */
  registerParameter(name: string, parameter: Parameter | null): void {
    if (parameter === null) this.registeredParameters.set(name, null);
    (this as Record<string, unknown>)[name] = parameter;
  }

  /** Registers a buffer: a tensor saved in the state dict (under `name`) that is not a parameter. */
  registerBuffer(name: string, value: Tensor | null): void {
    this.registeredBuffers.set(name, value);
    (this as Record<string, unknown>)[name] = value;
  }
  /** Buffers with dotted names, like `namedParameters`. */
  *namedBuffers(prefix = ""): Generator<[string, Tensor]> {
    for (const [moduleName, module] of this.namedModules(prefix)) {
      for (const [name, b] of module.registeredBuffers)
        if (b !== null) yield [moduleName ? `${moduleName}.${name}` : name, b];
    }
  }
  buffers(): Tensor[] {
    return [...this.namedBuffers()].map(([, b]) => b);
  }
  /**
   * Converts every floating point parameter and buffer to `dtype` (PyTorch's `module.to(dtype)`,
   * `double()`, `float()`). The parameters become new Parameter objects: build the optimizer after.
   */
  to(dtype: "float32" | "float64"): this {
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [name, p] of m.registeredParameters) {
          if (p !== null && p.dtype !== dtype)
            (m as unknown as Record<string, unknown>)[name] = new Parameter(p.detach().to(dtype), p.requiresGrad);
        }
        for (const [name, b] of m.registeredBuffers) {
          if (b !== null && b.dtype !== dtype && (b.dtype === "float32" || b.dtype === "float64"))
            (m as unknown as Record<string, unknown>)[name] = b.to(dtype);
        }
      }
    });
    return this;
  }
  double(): this {
    return this.to("float64");
  }
  float(): this {
    return this.to("float32");
  }

  /** The computation; subclasses override it. Call `module.call(x)` to run hooks too. */
  forward(..._inputs: unknown[]): unknown {
    throw new Error(`${this.constructor.name} has no forward() method`);
  }

  /** Runs forward, then the forward hooks (PyTorch's `module(x)`). */
  call(...inputs: any[]): any {
    let output = this.forward(...inputs);
    for (const hook of [...this.forwardHooks]) {
      const replaced = hook(this, inputs, output);
      if (replaced !== undefined) output = replaced;
    }
    return output;
  }

  registerForwardHook(hook: ForwardHook): { remove(): void } {
    this.forwardHooks.push(hook);
    return {
      remove: () => {
        const at = this.forwardHooks.indexOf(hook);
        if (at >= 0) this.forwardHooks.splice(at, 1);
      },
    };
  }

  // ---- walking the tree ------------------------------------------------------------------------
  *namedChildren(): Generator<[string, Module]> {
    yield* this.registeredModules.entries();
  }
  *children(): Generator<Module> {
    yield* this.registeredModules.values();
  }
  /** This module and every descendant, with dotted names ("" for this one); each module once. */
  *namedModules(prefix = "", seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.registeredModules) {
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
    }
  }
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }
  /** Parameters with dotted names, in registration order; a shared parameter is listed once. */
  *namedParameters(prefix = "", recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const modules: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [moduleName, module] of modules) {
      for (const [name, p] of module.registeredParameters) {
        if (p === null || seen.has(p)) continue;
        seen.add(p);
        yield [moduleName ? `${moduleName}.${name}` : name, p];
      }
    }
  }
  parameters(recurse = true): Parameter[] {
    return [...this.namedParameters("", recurse)].map(([, p]) => p);
  }

  // ---- modes and gradients ---------------------------------------------------------------------
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Clears the parameters' gradients: to null (the default; see `clearGrad`) or to zeros. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) clearGrad(p, setToNone);
  }
  /** Calls `fn` on every submodule and then this one, like PyTorch's `apply`. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- state -----------------------------------------------------------------------------------
  /** Parameter tensors by PyTorch's keys ("fc1.weight"), detached but sharing storage. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, p] of module.registeredParameters) {
        if (p !== null) out[prefix ? `${prefix}.${name}` : name] = p.detach();
      }
      for (const [name, b] of module.registeredBuffers) {
        if (b !== null) out[prefix ? `${prefix}.${name}` : name] = b.detach();
      }
    }
    return out;
  }

  /**
   * Copies values from a state dict into the parameters. With `strict` (the default) missing and
   * unexpected keys are an error that lists them; a shape mismatch is always an error. Nothing is
   * changed unless every check passes.
   */
  loadStateDict(
    given: Record<string, Tensor | StateValue>,
    { strict = true }: { strict?: boolean } = {},
  ): LoadStateDictResult {
    const own = this.stateDict();
    const stateDict = stateDictTensors(given, own);
    const missingKeys = Object.keys(own).filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !(k in own));
    const problems: string[] = [];
    if (strict && unexpectedKeys.length)
      problems.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`);
    if (strict && missingKeys.length)
      problems.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}.`);
    for (const [key, target] of Object.entries(own)) {
      const source = stateDict[key];
      if (source === undefined) continue;
      if (!(source instanceof Tensor)) {
        problems.push(`value for ${key} is not a Tensor, (nested) array of numbers or typed array`);
      } else if (!sameShape(source.shape, target.shape)) {
        problems.push(
          `size mismatch for ${key}: copying a param with shape ${formatShape(source.shape)} from checkpoint, the shape in current model is ${formatShape(target.shape)}.`,
        );
      }
    }
    if (problems.length) {
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${problems.join("\n\t")}`);
    }
    noGrad(() => {
      for (const [key, target] of Object.entries(own)) {
        if (key in stateDict) target.copy_(stateDict[key] as Tensor);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  toString(): string {
    const lines = [...this.namedChildren()].map(([name, m]) => `  (${name}): ${m.toString().replace(/\n/g, "\n  ")}`);
    const extra = this.extraRepr();
    return lines.length ? `${this.constructor.name}(\n${lines.join("\n")}\n)` : `${this.constructor.name}(${extra})`;
  }
  /** Constructor arguments shown by toString(), like PyTorch's `extra_repr`. */
  extraRepr(): string {
    return "";
  }

  /** What `tidy` keeps for a module: its parameters (with their gradients) and everything in its state dict. */
  [heldTensors](): Iterable<unknown> {
    return [...this.parameters(), ...Object.values(this.stateDict())];
  }
}
