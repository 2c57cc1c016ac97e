/**
 * What each scheduler saves: PyTorch's keys and layouts, functions not serialised (null), callable
 * objects' fields saved and restored, copies rather than shared arrays, and resuming with
 * `lastEpoch` from an optimizer that carries `initial_lr`.
 */
import { describe, expect, it, vi } from "vitest";
import {
  ChainedScheduler,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  MultiplicativeLR,
  OneCycleLR,
  ReduceLROnPlateau,
  SequentialLR,
  StepLR,
  type CallableLrLambda,
} from "../../../src/optim/lr_scheduler/index.js";
import { lrsOf, makeOptimizer, twoGroups } from "./helpers.js";

/** A callable object (gradstep's convention: a `call(epoch)` method) with state of its own. */
class Warmup implements CallableLrLambda {
  constructor(
    public epochs: number,
    public label = "warmup",
  ) {}
  call(epoch: number): number {
    return Math.min(1, (epoch + 1) / this.epochs);
  }
}

describe("state dicts", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});

  it("LambdaLR saves null for plain functions and the fields of callable objects", () => {
    const optimizer = twoGroups();
    const warmup = new Warmup(5);
    const scheduler = new LambdaLR(optimizer, [(e) => 0.9 ** e, warmup]);
    const state = scheduler.stateDict();
    expect(state.lr_lambdas).toEqual([null, { epochs: 5, label: "warmup" }]);
    expect(Object.keys(state).sort()).toEqual([
      "_get_lr_called_within_step",
      "_last_lr",
      "_step_count",
      "base_lrs",
      "last_epoch",
      "lr_lambdas",
      "verbose",
    ]);

    const other = new Warmup(100, "other");
    const restored = new LambdaLR(twoGroups(), [(e) => 0.9 ** e, other]);
    restored.loadStateDict(JSON.parse(JSON.stringify(state)));
    expect(other.epochs).toBe(5);
    expect(other.label).toBe("warmup");
  });

  it("MultiplicativeLR does the same", () => {
    const factor = {
      value: 0.5,
      call(this: { value: number }) {
        return this.value;
      },
    };
    const scheduler = new MultiplicativeLR(twoGroups(), factor);
    expect(scheduler.stateDict().lr_lambdas).toEqual([{ value: 0.5 }, { value: 0.5 }]);
    expect(new MultiplicativeLR(twoGroups(), () => 0.5).stateDict().lr_lambdas).toEqual([null, null]);
  });

  it("MultiStepLR keeps PyTorch's Counter layout (milestone → count)", () => {
    const scheduler = new MultiStepLR(twoGroups(), { milestones: [30, 80, 80] });
    expect(scheduler.stateDict().milestones).toEqual({ 30: 1, 80: 2 });
  });

  it("CyclicLR saves its scale functions as null and keeps its own on load", () => {
    const scaleFn = (x: number) => 1 / x;
    const scheduler = new CyclicLR(twoGroups(), { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, scaleFn });
    const state = scheduler.stateDict();
    expect(state._scale_fn_custom).toBeNull();
    expect(state._scale_fn_ref).toBeNull();
    expect(state.base_momentums).toEqual([0.8, 0.8]);
    expect(
      new CyclicLR(twoGroups([0.1, 0.02], "adam"), { baseLr: 0.01, maxLr: 0.1, cycleMomentum: false }).stateDict(),
    ).not.toHaveProperty("base_momentums");
  });

  it("OneCycleLR saves its phases with PyTorch's names and the anneal strategy by name", () => {
    const optimizer = twoGroups();
    const scheduler = new OneCycleLR(optimizer, { maxLr: 1, totalSteps: 10, annealStrategy: "linear" });
    const state = scheduler.stateDict();
    expect(state._anneal_func_type).toBe("linear");
    expect(state._schedule_phases).toEqual([
      {
        end_step: 2,
        start_lr: "initial_lr",
        end_lr: "max_lr",
        start_momentum: "max_momentum",
        end_momentum: "base_momentum",
      },
      {
        end_step: 9,
        start_lr: "max_lr",
        end_lr: "min_lr",
        start_momentum: "base_momentum",
        end_momentum: "max_momentum",
      },
    ]);
    const group = optimizer.stateDict().param_groups[0];
    expect(group).toMatchObject({
      initial_lr: 0.04,
      max_lr: 1,
      min_lr: 4e-6,
      max_momentum: 0.95,
      base_momentum: 0.85,
      momentum: 0.95,
    });
    expect(state.use_beta1).toBe(false);
  });

  it("ReduceLROnPlateau has PyTorch's keys, _last_lr only after a step, and re-checks its mode on load", () => {
    const optimizer = twoGroups();
    const scheduler = new ReduceLROnPlateau(optimizer, { minLr: [0.001, 0.002] });
    expect(Object.keys(scheduler.stateDict()).sort()).toEqual([
      "best",
      "cooldown",
      "cooldown_counter",
      "eps",
      "factor",
      "last_epoch",
      "min_lrs",
      "mode",
      "mode_worse",
      "num_bad_epochs",
      "patience",
      "threshold",
      "threshold_mode",
      "verbose",
    ]);
    expect(scheduler.getLastLr()).toEqual([0.1, 0.02]);
    scheduler.step(1);
    expect(scheduler.stateDict()._last_lr).toEqual([0.1, 0.02]);
    const state = scheduler.stateDict();
    expect(state.best).toBe(1);
    const maxMode = new ReduceLROnPlateau(twoGroups());
    maxMode.loadStateDict({ ...state, mode: "max", mode_worse: 123 });
    expect(maxMode.mode).toBe("max");
    expect(maxMode.modeWorse).toBe(-Infinity); // _init_is_better resets it, as in PyTorch
    expect(() => maxMode.loadStateDict({ mode: "avg" })).toThrow("mode avg is unknown!");
  });

  it("SequentialLR and ChainedScheduler nest their children's state dicts", () => {
    const optimizer = twoGroups();
    const a = new LinearLR(optimizer, { startFactor: 0.5, totalIters: 4 });
    const b = new ExponentialLR(optimizer, { gamma: 0.9 });
    const sequential = new SequentialLR(optimizer, { schedulers: [a, b], milestones: [4] });
    const state = sequential.stateDict();
    expect(Object.keys(state).sort()).toEqual(["_last_lr", "_milestones", "_schedulers", "last_epoch"]);
    expect((state._schedulers as object[])[1]).toEqual(b.stateDict());

    const chained = new ChainedScheduler([new StepLR(twoGroups(), { stepSize: 2 })]);
    expect(Object.keys(chained.stateDict()).sort()).toEqual(["_last_lr", "_schedulers"]);
  });

  it("returns copies: changing a saved dict does not change the scheduler", () => {
    const scheduler = new StepLR(twoGroups(), { stepSize: 2 });
    const state = scheduler.stateDict();
    (state.base_lrs as number[])[0] = 99;
    (state._last_lr as number[])[0] = 99;
    expect(scheduler.baseLrs).toEqual([0.1, 0.02]);
    expect(scheduler.getLastLr()).toEqual([0.1, 0.02]);
    const lastLr = scheduler.getLastLr();
    lastLr[0] = 5;
    expect(scheduler.getLastLr()[0]).toBe(0.1);
  });

  it("a state dict with keys left out keeps the scheduler's values (PyTorch's __dict__.update)", () => {
    const scheduler = new StepLR(twoGroups(), { stepSize: 2, gamma: 0.5 });
    scheduler.loadStateDict({ gamma: 0.25 });
    expect(scheduler.gamma).toBe(0.25);
    expect(scheduler.stepSize).toBe(2);
    expect(scheduler.lastEpoch).toBe(0);
  });

  it("resumes with lastEpoch from an optimizer that carries initial_lr", () => {
    const first = twoGroups();
    const original = new StepLR(first, { stepSize: 3, gamma: 0.5 });
    for (let i = 0; i < 7; i++) original.step();
    const saved = first.stateDict();

    const second = twoGroups();
    second.loadStateDict(saved);
    // as in PyTorch, the constructor's initial step moves lastEpoch on by one: 6 → 7
    const resumed = new StepLR(second, { stepSize: 3, gamma: 0.5, lastEpoch: 6 });
    expect(resumed.lastEpoch).toBe(7);
    expect(resumed.baseLrs).toEqual([0.1, 0.02]);
    expect(lrsOf(second)).toEqual(lrsOf(first));
    for (let i = 0; i < 10; i++) {
      original.step();
      resumed.step();
      expect(lrsOf(second)).toEqual(lrsOf(first));
    }
  });

  it("a plateau scheduler resumes from its state dict", () => {
    const metrics = [1, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7];
    const optimizer = makeOptimizer("adam", [{ lr: 0.1 }, { lr: 0.05 }]);
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 1, cooldown: 1 });
    metrics.slice(0, 8).forEach((m) => scheduler.step(m));
    const optimizerState = JSON.parse(JSON.stringify(optimizer.stateDict()));
    const schedulerState = scheduler.stateDict();

    const freshOptimizer = makeOptimizer("adam", [{ lr: 0.1 }, { lr: 0.05 }]);
    const fresh = new ReduceLROnPlateau(freshOptimizer, { patience: 1, cooldown: 1 });
    freshOptimizer.loadStateDict(optimizerState);
    fresh.loadStateDict(schedulerState);
    for (const m of metrics.slice(8)) {
      scheduler.step(m);
      fresh.step(m);
      expect(lrsOf(freshOptimizer)).toEqual(lrsOf(optimizer));
    }
  });
});
