/**
 * The book's simple linear regression (chapter 6 compares how SGD, momentum, Nesterov and Adam
 * move b and w): from the same start and data, full-batch MSE, the parameter paths and losses
 * match PyTorch's step by step (tolerance as in fixtures.ts). Here the gradients come from
 * gradstep's own autograd, so this also checks the loop a reader would write.
 */
import { expect, it } from "vitest";
import { optim, tensor } from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import { TOLERANCE, parameter, readFixture } from "./fixtures.js";

interface Run {
  name: string;
  optimizer: "SGD" | "Adam";
  options: Record<string, unknown>;
  losses: number[];
  path: [number, number][];
}
const fixture = readFixture<{
  torch_version: string;
  x_train: number[];
  y_train: number[];
  b0: number;
  w0: number;
  epochs: number;
  runs: Run[];
}>("linear_regression.json");

describeEachBackend(`the book's linear regression paths match PyTorch ${fixture.torch_version}`, () => {
  it("covers SGD, momentum, Nesterov and Adam", () => {
    expect(fixture.runs.map((r) => r.name)).toEqual(["SGD", "SGD + momentum", "SGD + Nesterov", "Adam"]);
  });

  for (const run of fixture.runs) {
    it(`${run.name}: (b, w) and the loss after each of ${fixture.epochs} steps`, () => {
      const x = tensor(fixture.x_train);
      const y = tensor(fixture.y_train);
      const b = parameter([fixture.b0], [1]);
      const w = parameter([fixture.w0], [1]);
      const opt = run.optimizer === "SGD" ? new optim.SGD([b, w], run.options) : new optim.Adam([b, w], run.options);
      for (let epoch = 0; epoch < fixture.epochs; epoch++) {
        const yhat = b.add(w.mul(x));
        const loss = yhat.sub(y).pow(2).mean();
        opt.zeroGrad();
        loss.backward();
        opt.step();
        expectClose(loss.item(), run.losses[epoch], { ...TOLERANCE, what: `loss at step ${epoch + 1}` });
        expectClose([b.item(), w.item()], run.path[epoch], { ...TOLERANCE, what: `(b, w) after step ${epoch + 1}` });
      }
      // the book's point: all of them head for the true b = 1, w = 2
      expect(Math.abs(b.item() - 1)).toBeLessThan(0.15);
      expect(Math.abs(w.item() - 2)).toBeLessThan(0.25);
    });
  }
});
