/**
 * `autograd.grad(outputs, inputs)`: the gradients of outputs w.r.t. inputs, returned instead of
 * accumulated into `.grad`, as `torch.autograd.grad`.
 *
 * It runs the one backward engine (autograd.ts) from a root Σ_i sum(outputs[i] · gradOutputs[i]),
 * whose gradient at outputs[i] is exactly gradOutputs[i]. The inputs' gradients are captured by
 * temporary hooks; every leaf's `.grad` is saved before and restored after, so no `.grad` changes.
 */
import { noGrad } from "./autograd.js";
import { Tensor } from "./tensor.js";

export interface GradOptions {
  /** ∂L/∂output for each output; defaults to ones for one-element outputs */
  gradOutputs?: Tensor | (Tensor | null)[] | null;
  /** return null for an input the outputs do not depend on (otherwise that is an error) */
  allowUnused?: boolean;
}

export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = outputs instanceof Tensor ? [outputs] : outputs;
  const ins = inputs instanceof Tensor ? [inputs] : inputs;
  const gradOuts =
    options.gradOutputs instanceof Tensor ? [options.gradOutputs] : (options.gradOutputs ?? outs.map(() => null));
  if (gradOuts.length !== outs.length)
    throw new RangeError(`grad(): got ${gradOuts.length} gradOutputs for ${outs.length} outputs`);
  outs.forEach((o, i) => {
    if (!o.requiresGrad)
      throw new Error(`grad(): element ${i} of outputs does not require grad and does not have a grad_fn`);
    if (gradOuts[i] === null && o.numel() !== 1)
      throw new RangeError(
        `grad(): grad can be implicitly created only for scalar outputs (output ${i} has ${o.numel()} elements)`,
      );
  });
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new Error(`grad(): element ${i} of inputs does not require grad`);
  });

  // the root whose gradient at outputs[i] is gradOutputs[i]
  const terms = outs.map((o, i) => {
    const g = gradOuts[i];
    return g === null ? o.sum() : o.mul(g.detach()).sum();
  });
  const root = terms.reduce((acc, t) => acc.add(t));

  const leaves = reachableLeaves(root);
  const saved = new Map([...leaves].map((t) => [t, t.grad] as const));
  const captured = new Map<Tensor, Tensor>();
  const handles = ins.map((t) =>
    t.registerHook((g) => void captured.set(t, captured.has(t) ? captured.get(t)!.add(g) : g)),
  );
  try {
    for (const leaf of leaves) leaf.grad = null;
    root.backward();
  } finally {
    handles.forEach((h) => h.remove());
    for (const [leaf, g] of saved) leaf.grad = g;
  }
  return ins.map((t, i) => {
    const g = captured.get(t);
    if (g !== undefined) return noGrad(() => g.detach().clone());
    if (!options.allowUnused) {
      throw new Error(
        `grad(): One of the differentiated Tensors (input ${i}) appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.`,
      );
    }
    return null;
  });
}

function reachableLeaves(root: Tensor): Set<Tensor> {
  const leaves = new Set<Tensor>();
  const seen = new Set<Tensor>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.gradFn === null) {
      if (t.requiresGrad) leaves.add(t);
      continue;
    }
    for (const input of t.gradFn.inputs) {
      if (!seen.has(input)) {
        seen.add(input);
        stack.push(input);
      }
    }
  }
  return leaves;
}
