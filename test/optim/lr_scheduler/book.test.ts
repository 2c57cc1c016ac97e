/**
 * The values the book prints and the examples, written out; each is also checked against
 * the value PyTorch produced (test/golden/lr_scheduler, "book").
 */
import { describe, expect, it } from "vitest";
import { tensor } from "../../../src/creation.js";
import * as optim from "../../../src/optim/index.js";
import { LambdaLR, ReduceLROnPlateau, StepLR } from "../../../src/optim/lr_scheduler/index.js";
import { MomentumOpt, loadGolden } from "./helpers.js";

const golden = loadGolden();

function sgd(lr: number): MomentumOpt {
  return new MomentumOpt([tensor([0], { requiresGrad: true })], {
    lr,
    momentum: 0,
    dampening: 0,
    weightDecay: 0,
    nesterov: false,
  });
}

/** The book's loop: print get_last_lr(), optimizer.step(), scheduler.step(). */
function lastLrs(scheduler: { getLastLr(): number[]; step(): void }, optimizer: MomentumOpt, epochs: number): number[] {
  const values: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    values.push(scheduler.getLastLr()[0]);
    optimizer.step();
    scheduler.step();
  }
  return values;
}

describe("the book's printed values", () => {
  it("StepLR(stepSize 2, gamma 0.1) from 0.01: 0.01, 0.01, 0.001, 0.001", () => {
    const optimizer = sgd(0.01);
    const values = lastLrs(new StepLR(optimizer, { stepSize: 2, gamma: 0.1 }), optimizer, 4);
    expect(values).toEqual([0.01, 0.01, 0.001, 0.001]);
    expect(values).toEqual(golden.book.StepLR);
  });

  it("LambdaLR(e => 0.1 ** ⌊e / 2⌋) gives the same", () => {
    const optimizer = sgd(0.01);
    const values = lastLrs(new LambdaLR(optimizer, (epoch) => 0.1 ** Math.floor(epoch / 2)), optimizer, 4);
    expect(values).toEqual([0.01, 0.01, 0.001, 0.001]);
    expect(values).toEqual(golden.book.LambdaLR);
  });

  it("ReduceLROnPlateau(patience 4, factor 0.1) on a constant loss drops at the 6th step and again 5 steps later", () => {
    const optimizer = sgd(0.01);
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 4, factor: 0.1 });
    const drops: number[] = [];
    let previous = 0.01;
    for (let epoch = 1; epoch <= 20; epoch++) {
      scheduler.step(0.1);
      const lr = optimizer.paramGroups[0].lr;
      if (lr !== previous) drops.push(epoch);
      previous = lr;
    }
    expect(drops.slice(0, 2)).toEqual([6, 11]);
    expect(drops).toEqual(golden.book.ReduceLROnPlateau_drop_steps);
    expect(optimizer.paramGroups[0].lr).toBeCloseTo(0.01 * 0.1 ** 3, 15);
  });
});

describe("the issue's examples", () => {
  it("LambdaLR with (e+1)+(e+1) turns lr 0.1 into 0.2 at construction", () => {
    const optimizer = sgd(0.1);
    const scheduler = new LambdaLR(optimizer, (e) => e + 1 + (e + 1));
    expect(optimizer.paramGroups[0].lr).toBe(0.2);
    expect(optimizer.paramGroups[0].lr).toBe(golden.book.LambdaLR_double_plus_initial);
    expect(scheduler.getLastLr()).toEqual([0.2]);
    expect(scheduler.lastEpoch).toBe(0);
    expect(scheduler.baseLrs).toEqual([0.1]);
  });

  it("records initial_lr in every group (initial_lr in the optimizer's state dict)", () => {
    const optimizer = sgd(0.05);
    new StepLR(optimizer, { stepSize: 3 });
    expect(optimizer.paramGroups[0].initialLr).toBe(0.05);
    expect(optimizer.stateDict().param_groups[0].initial_lr).toBe(0.05);
  });

  it("a second scheduler on the same optimizer keeps the first initial_lr", () => {
    const optimizer = sgd(0.05);
    new LambdaLR(optimizer, () => 2);
    const second = new StepLR(optimizer, { stepSize: 3 });
    expect(optimizer.paramGroups[0].lr).toBe(0.1);
    expect(second.baseLrs).toEqual([0.05]);
  });

  it("is exported as optim.lrScheduler", () => {
    expect(optim.lrScheduler.StepLR).toBe(StepLR);
    expect(typeof optim.lrScheduler.schedules.stepDecay).toBe("function");
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
      expect(typeof (optim.lrScheduler as Record<string, unknown>)[name], name).toBe("function");
    }
  });
});
