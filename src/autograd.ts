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
import type { Tensor } from "./tensor.js";
import { formatShape, sameShape } from "./shape.js";

export interface GradFn {
  /** The op's name, for error messages and for students inspecting the graph (`y.gradFn.name`). */
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** ∂L/∂out ↦ ∂L/∂input for each input (null where an input needs no gradient). */
  readonly backward: (gradOutput: Tensor) => readonly (Tensor | null)[];
}

let gradEnabled = true;

/** The `.grad` tensors autograd created (as opposed to ones a user assigned): see `clearGrad`. */
const createdGradients = new WeakSet<Tensor>();

/**
 * Clears `t.grad` (to null, or to zeros) — what `zeroGrad` does for each parameter. Setting it to
 * null also frees a gradient autograd created, so that on the WebAssembly backend a training loop
 * does not keep every step's gradients until the garbage collector runs; clone a gradient first if
 * you want to keep it. (On the JS backend freeing is a no-op.)
 */
export function clearGrad(t: Tensor, setToNone: boolean): void {
  const grad = t.grad;
  if (grad === null) return;
  if (!setToNone) {
    noGrad(() => grad.zero_());
    return;
  }
  t.grad = null;
  if (createdGradients.has(grad)) grad.dispose();
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
 * Attaches `backward` to `out` if any input requires a gradient and recording is on.
 * Ops call this right after computing their forward result; it returns `out` for convenience.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (gradOutput: Tensor) => readonly (Tensor | null)[],
): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.gradFn = { name, inputs, backward };
    out.requiresGrad = true;
  }
  return out;
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

/**
 * Back-propagates `gradient` (∂L/∂root) to every leaf that requires a gradient.
 * Called by `Tensor.backward`, which checks the root and supplies the default gradient of 1.
 */
export function runBackward(root: Tensor, gradient: Tensor): void {
  const grads = new Map<Tensor, Tensor>([[root, gradient]]);
  noGrad(() => {
    for (const tensor of reverseTopologicalOrder(root)) {
      let grad = grads.get(tensor);
      if (grad === undefined) continue;
      grads.delete(tensor);
      for (const hook of tensor.hooks) {
        const replaced = hook(grad);
        if (replaced !== undefined && replaced !== null) {
          if (!sameShape(replaced.shape, grad.shape)) {
            throw new RangeError(
              `a gradient hook returned a tensor of shape ${formatShape(replaced.shape)} ` +
                `for a gradient of shape ${formatShape(grad.shape)}`,
            );
          }
          grad = replaced;
        }
      }
      if (tensor.gradFn === null) {
        // a leaf: accumulate in place, so that gradients add up across backward() calls and
        // `.grad` stays the same tensor, as in PyTorch
        if (tensor.grad === null) {
          tensor.grad = grad.detach().clone();
          createdGradients.add(tensor.grad);
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
}
