/**
 * Reverse-mode automatic differentiation, micrograd style.
 *
 * Every differentiable op computes its output and attaches a `GradFn`: the inputs it read and a
 * closure with its local chain rule (given ∂L/∂out, return ∂L/∂input for each input). `backward`
 * orders the graph topologically from the root and runs the closures in reverse, summing the
 * gradients that reach a tensor along different paths before passing them on. Leaves (tensors
 * created by the user with `requiresGrad`) accumulate into `.grad`, across calls too, as in PyTorch.
 *
 * Gradients are computed with ordinary tensor ops with recording switched off, so a faster backend
 * speeds up backward exactly as it speeds up forward.
 */
import type { Backend, Storage } from "./backend/backend.js";
import { activeBackend } from "./backend/index.js";
import type { Tensor } from "./tensor.js";
import { formatShape, sameShape } from "./shape.js";

/**
 * How a tensor was computed: the op, the inputs it read and the closure with its local chain rule.
 * `release()` drops the closure (and with it the values it saved) once backward has used it.
 */
export class GradFn {
  private closure: ((gradOutput: Tensor) => readonly (Tensor | null)[]) | null;
  constructor(
    /** The op's name, for error messages and for students inspecting the graph (`y.gradFn.name`). */
    readonly name: string,
    readonly inputs: readonly Tensor[],
    backward: (gradOutput: Tensor) => readonly (Tensor | null)[],
    /** The tensors its backward reads, with their versions when they were saved (see `record`). */
    readonly saved: readonly (readonly [Tensor, number])[] = [],
  ) {
    this.closure = backward;
  }
  /** ∂L/∂out ↦ ∂L/∂input for each input (null where an input needs no gradient). */
  backward(gradOutput: Tensor): readonly (Tensor | null)[] {
    if (this.closure === null) throw new Error(SECOND_BACKWARD);
    return this.closure(gradOutput);
  }
  /** True once a backward without `retainGraph` has gone through it. */
  get released(): boolean {
    return this.closure === null;
  }
  release(): void {
    this.closure = null;
    for (const s of this.owned) this.backend!.free(s, GRAPH_RELEASED);
    this.owned = [];
  }
  /** Intermediates of a composite op that only this graph uses, freed by `release` (see `composite`). */
  private owned: Storage[] = [];
  private backend: Backend | null = null;
  own(backend: Backend, storages: Storage[]): void {
    this.backend = backend;
    this.owned.push(...storages);
  }
}

const GRAPH_RELEASED =
  "(it was an intermediate inside a composite op such as crossEntropy, freed when backward() released the graph; " +
  "call backward({ retainGraph: true }) to keep the graph)";

/**
 * Runs the body of a composite op — one built from other ops, such as `crossEntropy` — so that the
 * tensors it makes along the way, which its caller never receives, do not outlive their use. Without
 * a graph they are freed when it returns; with one, they belong to the result's graph and are freed
 * when backward releases it (as PyTorch frees a graph's saved values). On a backend whose memory the
 * garbage collector manages (js) it just runs `body`.
 */
export function composite(body: () => Tensor): Tensor {
  const backend = activeBackend();
  if (!backend.startScope || !backend.endScope || !backend.scopeStorages) return body();
  backend.startScope();
  let result: Tensor;
  try {
    result = body();
  } catch (error) {
    backend.endScope();
    throw error;
  }
  if (result.gradFn === null) {
    backend.endScope([result.storage], "(it was an intermediate inside a composite op such as crossEntropy)");
    return result;
  }
  const made = [...backend.scopeStorages()];
  backend.endScope(made);
  result.gradFn.own(
    backend,
    made.filter((s) => s !== result.storage),
  );
  return result;
}

let gradEnabled = true;

/** The `.grad` tensors autograd created (as opposed to ones a user assigned): see `clearGrad`. */
const createdGradients = new WeakSet<Tensor>();

/**
 * True for a gradient that backward created as some tensor's `.grad`. Such a gradient belongs to
 * its tensor: when `.grad` is set to something else (null, by `zeroGrad()` or by assignment), it is
 * freed at once, so that on the WebAssembly backend a training loop does not keep every step's
 * gradients. (Clone a gradient to keep it; on the JS backend freeing is a no-op.)
 */
export function isCreatedGradient(t: Tensor): boolean {
  return createdGradients.has(t);
}

/** True while ops record the graph (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording the graph, like `with torch.no_grad():`. */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` with recording switched on, like `with torch.enable_grad():`. */
export function enableGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Version counters, as PyTorch keeps them: every in-place op bumps its storage's counter, and an op
 * that saves tensors for its backward records their versions, so that backward can refuse to use a
 * saved tensor that was modified in place since (it would silently give a wrong gradient).
 */
const versions = new WeakMap<Storage, number>();

/** Called by every in-place op before it writes `t`'s storage. */
export function bumpVersion(t: Tensor): void {
  versions.set(t.storage, (versions.get(t.storage) ?? 0) + 1);
}

function versionOf(t: Tensor): number {
  return versions.get(t.storage) ?? 0;
}

/**
 * Attaches `backward` to `out` if any input requires a gradient and recording is on.
 * Ops call this right after computing their forward result; it returns `out` for convenience.
 * `saved` lists the tensors the closure reads (inputs or `out` itself), whose versions backward checks.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (gradOutput: Tensor) => readonly (Tensor | null)[],
  saved: readonly Tensor[] = [],
): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.gradFn = new GradFn(
      name,
      inputs,
      backward,
      saved.map((t) => [t, versionOf(t)]),
    );
    out.requiresGrad = true;
  }
  return out;
}

/** PyTorch's error when a tensor saved for backward was modified in place, or null if none was. */
function modifiedSavedTensor(gradFn: GradFn): string | null {
  for (const [t, version] of gradFn.saved) {
    const now = versionOf(t);
    if (now !== version) {
      return (
        `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
        `[${t.dtype} ${formatShape(t.shape)}], saved by ${gradFn.name}, is at version ${now}; expected version ${version} instead. ` +
        "Hint: modify it after backward(), or clone() it before the op that saves it."
      );
    }
  }
  return null;
}

/** Tensors reachable from `root` through grad functions, each after everything it feeds into. */
function reverseTopologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // iterative depth-first search, so that deep graphs (long RNN-like chains) cannot overflow the stack
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [tensor, next] = top;
    const inputs = tensor.gradFn?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const input = inputs[next];
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      order.push(tensor);
      stack.pop();
    }
  }
  return order.reverse();
}

/** PyTorch's error for a second backward through a graph whose saved values were released. */
export const SECOND_BACKWARD =
  "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
  "Saved intermediate values of the graph are freed when you call backward(). " +
  "Call backward({ retainGraph: true }) the first time if you need to backward through the graph a second time.";

/**
 * Back-propagates `gradient` (∂L/∂root, or a function making it) to every leaf that requires a
 * gradient. Called by `Tensor.backward`, which checks the root and supplies the default gradient of 1.
 *
 * Memory, as in PyTorch: unless `retainGraph` is set, the graph is released afterwards (its closures
 * and the values they saved are dropped, and a second backward through it throws PyTorch's error).
 * Every intermediate gradient is freed when backward returns; only the leaves' `.grad` and the
 * gradients that hooks saw survive it (on the WebAssembly backend this is an internal scope).
 */
export function runBackward(root: Tensor, gradient: Tensor | (() => Tensor), retainGraph = false): void {
  const order = reverseTopologicalOrder(root);
  // refuse before anything changes
  for (const tensor of order) {
    if (tensor.gradFn === null) continue;
    if (tensor.gradFn.released) throw new Error(SECOND_BACKWARD);
    const modified = modifiedSavedTensor(tensor.gradFn);
    if (modified !== null) throw new Error(modified);
  }
  const backend = root.backend;
  const survivors = new Set<Storage>();
  backend.startScope?.();
  try {
    // the default ∂L/∂L = 1 is made here, so that the scope frees it too
    const seed = typeof gradient === "function" ? gradient() : gradient;
    const grads = new Map<Tensor, Tensor>([[root, seed]]);
    noGrad(() => {
      for (const tensor of order) {
        let grad = grads.get(tensor);
        if (grad === undefined) continue;
        grads.delete(tensor);
        for (const hook of tensor.hooks) {
          survivors.add(grad.storage); // a hook may keep what it is given
          const replaced = hook(grad);
          if (replaced !== undefined && replaced !== null) {
            if (!sameShape(replaced.shape, grad.shape)) {
              throw new RangeError(
                `a gradient hook returned a tensor of shape ${formatShape(replaced.shape)} ` +
                  `for a gradient of shape ${formatShape(grad.shape)}`,
              );
            }
            grad = replaced;
            survivors.add(grad.storage);
          }
        }
        if (tensor.gradFn === null) {
          // a leaf: accumulate in place, so that gradients add up across backward() calls and
          // `.grad` stays the same tensor, as in PyTorch
          if (tensor.grad === null) {
            const created = grad.detach().clone();
            createdGradients.add(created);
            tensor.grad = created;
            survivors.add(created.storage);
          } else {
            tensor.grad.add_(grad);
          }
          continue;
        }
        const inputGrads = tensor.gradFn.backward(grad);
        tensor.gradFn.inputs.forEach((input, i) => {
          const g = inputGrads[i];
          if (!input.requiresGrad || g === null || g === undefined) return;
          const previous = grads.get(input);
          grads.set(input, previous === undefined ? g : previous.add(g));
        });
      }
    });
  } finally {
    backend.endScope?.(
      survivors,
      "(it was an intermediate gradient of backward(); clone() it inside a hook to keep it)",
    );
  }
  if (!retainGraph) {
    for (const tensor of order) tensor.gradFn?.release();
    // a training step's natural boundary: what the last step made and this one did not use (its
    // activations, its batch) can leave the backend's memory now, while it is still in the cache
    backend.sweep?.();
  }
}
