/**
 * Bad options and bad steps raise PyTorch's error, with PyTorch's message, at the same point
 * (construction or the same step) — all recorded from PyTorch by the golden generator.
 * Python's exception classes map to: ValueError → RangeError, KeyError → Error,
 * ZeroDivisionError → ZeroDivisionError (a RangeError), TypeError → TypeError.
 */
import { describe, expect, it, vi } from "vitest";
import { ZeroDivisionError } from "../../../src/optim/lr_scheduler/index.js";
import { StepLR, type LRScheduler } from "../../../src/optim/lr_scheduler/index.js";
import { act, buildScheduler, loadGolden, makeOptimizer, twoGroups } from "./helpers.js";

const golden = loadGolden();

const ERROR_CLASSES: Record<string, new (...args: never[]) => Error> = {
  ValueError: RangeError,
  KeyError: Error,
  ZeroDivisionError,
  TypeError,
};

describe("PyTorch's errors", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});

  for (const e of golden.errors) {
    it(`${e.name}: ${e.type} "${e.message}"${e.at >= 0 ? ` at action ${e.at}` : " in the constructor"}`, () => {
      const optimizer = makeOptimizer(e.optimizer, e.groups);
      const other = makeOptimizer(e.optimizer, e.groups);
      let at = -1;
      let thrown: unknown;
      try {
        const scheduler = buildScheduler(e.scheduler, optimizer, other);
        for (at = 0; at < e.actions.length; at++) act(scheduler, e.actions[at]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, "nothing was thrown").toBeInstanceOf(ERROR_CLASSES[e.type]);
      expect((thrown as Error).message).toBe(e.message);
      expect(at).toBe(e.at);
    });
  }

  it("TypeError when the optimizer is not an Optimizer", () => {
    expect(() => new StepLR({ paramGroups: [] } as never, { stepSize: 1 })).toThrow(
      new TypeError("Object is not an Optimizer"),
    );
    expect(() => new StepLR(null as never, { stepSize: 1 })).toThrow(new TypeError("NoneType is not an Optimizer"));
  });

  it("OneCycleLR stepped past totalSteps keeps failing, as in PyTorch", () => {
    const optimizer = twoGroups();
    const scheduler = buildScheduler(
      { type: "OneCycleLR", options: { maxLr: 0.1, totalSteps: 3 } },
      optimizer,
    ) as LRScheduler;
    for (let i = 0; i < 3; i++) scheduler.step();
    expect(() => scheduler.step()).toThrow("Tried to step 5 times. The specified number of total steps is 3");
    expect(() => scheduler.step()).toThrow("Tried to step 6 times. The specified number of total steps is 3");
  });
});
