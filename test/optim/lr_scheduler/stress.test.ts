/**
 * Stress property (fast-check): any scheduler with valid options, stepped 10,000 times, writes
 * finite, non-negative rates (and finite momentum) and never throws.
 *
 * "Valid" is what PyTorch accepts *and* can run: options that PyTorch 1.13 accepts but that
 * divide by zero on some step (ConstantLR factor 0, LinearLR startFactor 0, zero-length OneCycle
 * phases) raise ZeroDivisionError there, as in PyTorch (see errors.test.ts), so they are left out.
 * So is LinearLR's endFactor 0: PyTorch's chainable ratio reaches 0 only up to rounding, leaving a
 * rate of about ±1e-18 (reproduced exactly, see the golden case LinearLR/to_zero). For the same
 * reason a CosineAnnealingLR inside a ChainedScheduler has etaMin 0 here (see `chainable`).
 * numRuns is small: each run is 10,000 steps.
 */
import fc from "fast-check";
import { describe, it, vi } from "vitest";
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  MultiplicativeLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  StepLR,
  schedules,
  type LRScheduler,
} from "../../../src/optim/lr_scheduler/index.js";
import type { Optimizer } from "../../../src/optim/optimizer.js";
import { lrsOf, makeOptimizer, momentumOf, type AnyScheduler } from "./helpers.js";

const STEPS = 10_000;
const RUNS = Number(process.env.LR_STRESS_RUNS ?? 4); // raise it to hunt: LR_STRESS_RUNS=200 npx vitest run ...

const rate = fc.double({ min: 1e-6, max: 1, noNaN: true });
const factor = (min: number, max: number) => fc.double({ min, max, noNaN: true });
const int = (min: number, max: number) => fc.integer({ min, max });
const groupsArb = fc.tuple(rate, rate).map(([a, b]) => [{ lr: a }, { lr: b }]);
const kindArb = fc.constantFrom("sgd_momentum" as const, "adam" as const);

type Make = (optimizer: Optimizer) => LRScheduler;

/**
 * Chainable schedulers with valid options, as children of SequentialLR / ChainedScheduler too.
 * In a chain, CosineAnnealingLR gets etaMin 0: once another scheduler has pushed the rate below
 * etaMin, PyTorch's recursion η_min + ratio · (η − η_min) goes negative on the rising half
 * (reproduced exactly, see the golden case ChainedScheduler/cosine_below_eta_min).
 */
const chainable = (etaMinMax: number): fc.Arbitrary<Make> =>
  fc.oneof(
    fc.record({ stepSize: int(1, 1000), gamma: factor(0, 1) }).map(
      (o): Make =>
        (opt) =>
          new StepLR(opt, o),
    ),
    fc.record({ milestones: fc.array(int(0, 12_000), { maxLength: 10 }), gamma: factor(0, 1) }).map(
      (o): Make =>
        (opt) =>
          new MultiStepLR(opt, o),
    ),
    fc.record({ factor: factor(1e-3, 1), totalIters: int(0, 12_000) }).map(
      (o): Make =>
        (opt) =>
          new ConstantLR(opt, o),
    ),
    fc.record({ startFactor: factor(1e-3, 1), endFactor: factor(1e-3, 1), totalIters: int(1, 12_000) }).map(
      (o): Make =>
        (opt) =>
          new LinearLR(opt, o),
    ),
    fc.record({ gamma: factor(0.5, 1.05) }).map(
      (o): Make =>
        (opt) =>
          new ExponentialLR(opt, o),
    ),
    fc.record({ totalIters: int(1, 12_000), power: factor(0.1, 5) }).map(
      (o): Make =>
        (opt) =>
          new PolynomialLR(opt, o),
    ),
    fc.record({ TMax: int(1, 5000), etaMin: factor(0, etaMinMax) }).map(
      (o): Make =>
        (opt) =>
          new CosineAnnealingLR(opt, o),
    ),
    fc.record({ stepSize: int(1, 500), gamma: factor(0.1, 1) }).map(
      (o): Make =>
        (opt) =>
          new LambdaLR(opt, schedules.stepDecay(o)),
    ),
    fc.record({ constant: factor(0.9, 1.02) }).map(
      (o): Make =>
        (opt) =>
          new MultiplicativeLR(opt, () => o.constant),
    ),
  );
const chainableArb = chainable(1e-6);

/** Every scheduler, by name, with valid options. */
const SCHEDULERS: Record<string, fc.Arbitrary<Make>> = {
  "chainable (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR, LambdaLR, MultiplicativeLR)":
    chainableArb,
  CosineAnnealingWarmRestarts: fc
    .record({
      T0: int(1, 500),
      TMult: int(1, 3),
      etaMin: factor(0, 1e-6),
      fractional: fc.boolean(),
      itersPerEpoch: int(1, 50),
    })
    .map(({ fractional, itersPerEpoch, ...o }): Make => (opt) => {
      const scheduler = new CosineAnnealingWarmRestarts(opt, o);
      if (!fractional) return scheduler;
      // step(epoch + i / iters) for the rest of the run, as the docs suggest for per-batch use
      let batch = 0;
      const step = scheduler.step.bind(scheduler);
      scheduler.step = () => step(++batch / itersPerEpoch);
      return scheduler;
    }),
  CyclicLR: fc
    .record({
      baseLr: factor(1e-5, 0.1),
      amplitude: factor(1, 100),
      stepSizeUp: int(1, 3000),
      stepSizeDown: fc.option(int(1, 3000), { nil: undefined }),
      mode: fc.constantFrom("triangular" as const, "triangular2" as const, "exp_range" as const),
      gamma: factor(0.9, 1),
      baseMomentum: factor(0.5, 0.9),
      momentumSpan: factor(0, 0.09),
    })
    .map(
      (o): Make =>
        (opt) =>
          new CyclicLR(opt, {
            baseLr: o.baseLr,
            maxLr: o.baseLr * o.amplitude,
            stepSizeUp: o.stepSizeUp,
            stepSizeDown: o.stepSizeDown,
            mode: o.mode,
            gamma: o.gamma,
            cycleMomentum: "momentum" in opt.defaults,
            baseMomentum: o.baseMomentum,
            maxMomentum: o.baseMomentum + o.momentumSpan,
          }),
    ),
  OneCycleLR: fc
    .record({
      maxLr: factor(1e-4, 1),
      // more than STEPS: PyTorch lets the scheduler step to exactly totalSteps, one step past the end of
      // its last phase, where the linear anneal extrapolates and can dip just below 0 by rounding
      totalSteps: int(STEPS + 1, 2 * STEPS),
      pctStart: factor(0.05, 0.95),
      annealStrategy: fc.constantFrom("cos" as const, "linear" as const),
      divFactor: factor(1, 1000),
      finalDivFactor: factor(1, 1e5),
      threePhase: fc.boolean(),
    })
    .map(
      (o): Make =>
        (opt) =>
          new OneCycleLR(opt, o),
    ),
  SequentialLR: fc
    .tuple(
      fc.array(chainableArb, { minLength: 2, maxLength: 3 }),
      fc.array(int(1, STEPS), { minLength: 2, maxLength: 2 }),
    )
    .map(([children, points]): Make => (opt) => {
      const schedulers = children.map((make) => make(opt));
      const milestones = [...points].sort((a, b) => a - b).slice(0, schedulers.length - 1);
      return new SequentialLR(opt, { schedulers, milestones });
    }),
  ChainedScheduler: fc.array(chainable(0), { minLength: 2, maxLength: 3 }).map(
    (children): Make =>
      (opt) =>
        new ChainedScheduler(children.map((make) => make(opt))),
  ),
};

function checkRates(optimizer: Optimizer, step: number): void {
  for (const lr of lrsOf(optimizer)) {
    if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`step ${step}: rate ${lr}`);
  }
  for (const m of momentumOf(optimizer)) {
    if (!Number.isFinite(m)) throw new Error(`step ${step}: momentum ${m}`);
  }
}

function run(scheduler: AnyScheduler, optimizer: Optimizer, metric: (step: number) => number): void {
  checkRates(optimizer, 0);
  for (let step = 1; step <= STEPS; step++) {
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step(metric(step));
    else scheduler.step();
    checkRates(optimizer, step);
  }
}

describe(`stress: ${STEPS} steps, finite non-negative rates, never throws`, () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});

  for (const [name, arbitrary] of Object.entries(SCHEDULERS)) {
    it(name, () => {
      fc.assert(
        fc.property(kindArb, groupsArb, arbitrary, (kind, groups, make) => {
          const optimizer = makeOptimizer(kind, groups);
          run(make(optimizer), optimizer, () => 0);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("ReduceLROnPlateau (any metrics, NaN and infinities included)", () => {
    const options = fc.record({
      mode: fc.constantFrom("min" as const, "max" as const),
      factor: factor(0, 0.99),
      patience: int(0, 20),
      threshold: factor(0, 0.5),
      thresholdMode: fc.constantFrom("rel" as const, "abs" as const),
      cooldown: int(0, 10),
      minLr: factor(0, 1e-3),
      eps: factor(0, 1e-6),
    });
    fc.assert(
      fc.property(
        kindArb,
        groupsArb,
        options,
        fc.array(fc.double(), { minLength: 1, maxLength: 200 }),
        (kind, groups, o, metrics) => {
          const optimizer = makeOptimizer(kind, groups);
          run(new ReduceLROnPlateau(optimizer, o), optimizer, (step) => metrics[step % metrics.length] - step * 1e-3);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});
