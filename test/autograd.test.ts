/** The autograd engine's contract: accumulation, hooks, noGrad, detach, errors. */
import { expect, it } from "vitest";
import { noGrad, tensor, zeros, ones } from "../src/index.js";
import { describeEachBackend, expectClose } from "./helpers.js";

describeEachBackend("autograd", () => {
  it("accumulates gradients for a tensor used twice (micrograd's b = a + a)", () => {
    const a = tensor([3], { requiresGrad: true });
    a.add(a).sum().backward();
    expectClose(a.grad!, [2]);
  });

  it("accumulates across backward() calls until the gradient is cleared", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.mul(3).sum().backward();
    w.mul(3).sum().backward();
    expectClose(w.grad!, [6, 6]);
    w.grad = null;
    w.mul(3).sum().backward();
    expectClose(w.grad!, [3, 3]);
  });

  it("runs the graph in topological order on a diamond", () => {
    // y = (x·2) · (x + 1): dy/dx = 2(x + 1) + 2x = 4x + 2
    const x = tensor([1, -2, 0.5], { requiresGrad: true });
    x.mul(2).mul(x.add(1)).sum().backward();
    expectClose(x.grad!, [6, -6, 4]);
  });

  it("only leaves keep .grad; intermediate tensors do not", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    h.sum().backward();
    expect(h.grad).toBeNull();
    expect(h.isLeaf).toBe(false);
    expect(h.gradFn?.name).toBe("mul");
  });

  it("noGrad records nothing and detach cuts the graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = x.detach();
    expect(z.requiresGrad).toBe(false);
    // detach shares storage, as in PyTorch
    noGrad(() => z.mul_(10));
    expectClose(x, [10, 20]);
  });

  it("a hook observes the gradient; a hook that returns a tensor replaces it", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const seen: number[][] = [];
    const observer = x.registerHook((g) => void seen.push(Array.from(g.toArray())));
    const doubler = x.registerHook((g) => g.mul(2));
    x.mul(x).sum().backward();
    expect(seen).toEqual([[2, 4, 6]]);
    expectClose(x.grad!, [4, 8, 12]);
    observer.remove();
    doubler.remove();
    x.grad = null;
    x.mul(x).sum().backward();
    expectClose(x.grad!, [2, 4, 6]);
    expect(seen.length).toBe(1);
  });

  it("hooks on intermediate tensors change what flows further back", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    h.registerHook(() => zeros([2]));
    h.add(x).sum().backward();
    expectClose(x.grad!, [1, 1]);
  });

  it("backward on a non-scalar needs a gradient and names the shape", () => {
    const y = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    ).mul(2);
    expect(() => y.backward()).toThrow(/shape \[2, 2\]/);
    y.backward(ones([2, 2]));
    expect(() => y.backward(ones([3]))).toThrow(/\[3\].*\[2, 2\]/);
  });

  it("backward on a tensor outside the graph is an error", () => {
    expect(() => tensor([1]).backward()).toThrow(/does not require grad/);
  });

  it("grad is assignable, with a shape check", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.grad = tensor([5, 6]);
    x.mul(1).sum().backward();
    expectClose(x.grad!, [6, 7]);
    expect(() => (x.grad = tensor([1, 2, 3]))).toThrow(/\[3\].*\[2\]/);
  });

  it("in-place updates of a leaf that requires grad must run under noGrad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(/leaf tensor that requires grad/);
    noGrad(() => w.sub_(tensor([1, 1]), 0.5));
    expectClose(w, [0.5, 1.5]);
  });

  it("gradients reach through a deep chain without overflowing the stack", () => {
    const x = tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(1);
    y.sum().backward();
    expectClose(x.grad!, [1]);
  });

  it("integer tensors cannot require gradients", () => {
    expect(() => tensor([1, 2], { dtype: "int32", requiresGrad: true })).toThrow(/floating point/);
  });
});
