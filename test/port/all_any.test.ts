/** all()/any() as torch 1.13: bool results, True/False over empty tensors and empty dims. */
import { expect, it } from "vitest";
import { tensor, zeros } from "../../src/index.js";
import { describeEachBackend } from "../helpers.js";

describeEachBackend("all and any", () => {
  it("over elements and along a dim, with keepdim", () => {
    const x = tensor([
      [1, 0, 2],
      [3, 4, 5],
    ]);
    expect([x.all().tolist(), x.any().tolist()]).toEqual([false, true]);
    expect(x.all(1).tolist()).toEqual([false, true]);
    expect(x.any(0, true).tolist()).toEqual([[true, true, true]]);
    expect(x.all().dtype).toBe("bool");
  });
  it("an empty tensor is all True and any False (PyTorch's values, not an error)", () => {
    expect([zeros([0]).all().tolist(), zeros([0]).any().tolist()]).toEqual([true, false]);
    expect(zeros([2, 0]).all(1).tolist()).toEqual([true, true]);
    expect(zeros([2, 0]).any(1).tolist()).toEqual([false, false]);
  });
});
