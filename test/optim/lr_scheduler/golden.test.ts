/**
 * Every scheduler against PyTorch 1.13: the rates (and cycled momentum / β₁) after construction
 * and after every action of test/golden/lr_scheduler/lr_scheduler.json, within 1e-12 relative;
 * resuming from PyTorch's state dicts mid-sequence continues the same sequence; the state dict
 * keys are PyTorch's.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { describeEachBackend } from "../../helpers.js";
import {
  act,
  buildScheduler,
  expectRelativelyClose,
  loadGolden,
  lrsOf,
  makeOptimizer,
  momentumOf,
  revive,
  type GoldenCase,
} from "./helpers.js";

const golden = loadGolden();
let worstRelativeError = 0;

/** Runs `actions` from index `from`, comparing after each with the golden rows `from + 1, ...`. */
function replay(
  c: GoldenCase,
  scheduler: ReturnType<typeof buildScheduler>,
  optimizer: ReturnType<typeof makeOptimizer>,
  from: number,
): void {
  for (let i = from; i < c.actions.length; i++) {
    act(scheduler, c.actions[i]);
    const where = `${c.name} after action ${i} (${JSON.stringify(c.actions[i])})`;
    worstRelativeError = Math.max(
      worstRelativeError,
      expectRelativelyClose(lrsOf(optimizer), c.lr[i + 1], `${where}: lr`),
    );
    if (c.momentum)
      worstRelativeError = Math.max(
        worstRelativeError,
        expectRelativelyClose(momentumOf(optimizer), c.momentum[i + 1], `${where}: momentum`),
      );
  }
}

// Schedulers only do arithmetic on numbers, but they run on optimizers whose parameters live on a
// backend; the suite runs once per backend like the others.
describeEachBackend(`golden sequences from PyTorch ${golden.torch_version}`, () => {
  vi.spyOn(console, "warn").mockImplementation(() => {}); // the step(epoch) deprecation warning

  it("covers every scheduler", () => {
    const types = new Set(golden.cases.map((c) => c.scheduler.type));
    for (const name of [
      "LambdaLR",
      "MultiplicativeLR",
      "StepLR",
      "MultiStepLR",
      "ConstantLR",
      "LinearLR",
      "ExponentialLR",
      "PolynomialLR",
      "CosineAnnealingLR",
      "CosineAnnealingWarmRestarts",
      "CyclicLR",
      "OneCycleLR",
      "ReduceLROnPlateau",
      "SequentialLR",
      "ChainedScheduler",
    ]) {
      expect(types.has(name), name).toBe(true);
    }
  });

  for (const c of golden.cases) {
    describe(c.name, () => {
      it(`matches ${c.actions.length} steps`, () => {
        const optimizer = makeOptimizer(c.optimizer, c.groups);
        const scheduler = buildScheduler(c.scheduler, optimizer);
        expectRelativelyClose(lrsOf(optimizer), c.lr[0], `${c.name} after construction: lr`);
        if (c.momentum)
          expectRelativelyClose(momentumOf(optimizer), c.momentum[0], `${c.name} after construction: momentum`);
        replay(c, scheduler, optimizer, 0);
      });

      if (c.resume) {
        const resume = c.resume;
        it(`resumes from PyTorch's state dicts at action ${resume.at}`, () => {
          const optimizer = makeOptimizer(c.optimizer, c.groups);
          const scheduler = buildScheduler(c.scheduler, optimizer);
          optimizer.loadStateDict(structuredClone(resume.optimizer));
          scheduler.loadStateDict(structuredClone(resume.scheduler));
          replay(c, scheduler, optimizer, resume.at);
        });

        it("resumes from its own state dict (through JSON) at the same point", () => {
          const optimizer = makeOptimizer(c.optimizer, c.groups);
          const scheduler = buildScheduler(c.scheduler, optimizer);
          for (let i = 0; i < resume.at; i++) act(scheduler, c.actions[i]);
          const savedOptimizer = JSON.parse(JSON.stringify(optimizer.stateDict()));
          const savedScheduler = revive(
            JSON.parse(
              JSON.stringify(scheduler.stateDict(), (_, v) =>
                typeof v === "number" && !Number.isFinite(v) ? String(v) : v,
              ),
            ),
          );

          const freshOptimizer = makeOptimizer(c.optimizer, c.groups);
          const fresh = buildScheduler(c.scheduler, freshOptimizer);
          freshOptimizer.loadStateDict(savedOptimizer);
          fresh.loadStateDict(savedScheduler);
          replay(c, fresh, freshOptimizer, resume.at);
        });
      }

      it("has PyTorch's state dict keys", () => {
        const optimizer = makeOptimizer(c.optimizer, c.groups);
        const scheduler = buildScheduler(c.scheduler, optimizer);
        for (const action of c.actions) act(scheduler, action);
        // the bound method anneal_func is saved as its name, under PyTorch 2's key
        const expected = c.stateKeys.map((key) => (key === "anneal_func" ? "_anneal_func_type" : key)).sort();
        expect(Object.keys(scheduler.stateDict()).sort()).toEqual(expected);
      });
    });
  }

  afterAll(() => {
    console.info(
      `lr_scheduler golden: worst relative error ${worstRelativeError.toExponential(2)} over ${golden.cases.length} cases`,
    );
  });
});
