/**
 * PyTorch's version counters: modifying in place a tensor that an op saved for its backward makes
 * that backward throw (a wrong gradient otherwise), before anything changes; ops that save nothing
 * do not mind, and neither does a change made after backward.
 */
import { expect, it } from "vitest";
import { manualSeed, nn, noGrad, optim, randn } from "../src/index.js";
import { describeEachBackend } from "./helpers.js";

describeEachBackend("version counters", () => {
  const setup = () => {
    manualSeed(0);
    return { w: randn([3, 2]).requiresGrad_(), x: randn([4, 3]) };
  };

  it("matmul saved w: changing w in place before backward is PyTorch's error, and no .grad changes", () => {
    const { w, x } = setup();
    const y = x.matmul(w).sum();
    noGrad(() => w.add_(1));
    expect(() => y.backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[float32 \[3, 2\]\], saved by matmul, is at version 1; expected version 0 instead/,
    );
    expect(w.grad).toBeNull();
  });

  it("tanh saved its output: changing the output in place is caught too", () => {
    const { w, x } = setup();
    const h = x.matmul(w).tanh();
    const y = h.sum();
    noGrad(() => h.mul_(2));
    expect(() => y.backward()).toThrow(/saved by tanh/);
  });

  it("add saves nothing: an in-place change of its input is fine, as in PyTorch", () => {
    const { w } = setup();
    const b = randn([3, 2]);
    const y = w.add(b).sum();
    noGrad(() => b.mul_(3));
    y.backward();
    expect(Array.from(w.grad!.toArray())).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("an optimizer step (a fused kernel) between forward and backward is caught too", () => {
    manualSeed(0);
    const model = new nn.Linear(3, 2);
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.1 });
    const x = randn([4, 3]);
    model.call(x).sum().backward();
    const loss = model.call(x).sum(); // saves the weight
    optimizer.step(); // changes it in place
    expect(() => loss.backward()).toThrow(/modified by an inplace operation: \[float32 \[2, 3\]\], saved by linear/);
  });

  it("a change after backward, or to a clone, is fine", () => {
    const { w, x } = setup();
    const y = x.matmul(w.clone()).sum();
    noGrad(() => w.add_(1)); // the clone was saved, not w
    y.backward();
    expect(w.grad).not.toBeNull();
    noGrad(() => w.sub_(1));
  });
});
