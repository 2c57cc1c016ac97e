/**
 * The Trainer against the book's StepByStep run in PyTorch 1.13 (test/golden/train/gen_train.py):
 * the same CNN2 weights, data and batches give the same per-epoch losses (1e-4 relative) and the
 * same learning-rate history (exact up to float rounding of the rates, 1e-12).
 */
import { expect, it } from "vitest";
import { Trainer, makeLrFn, lrRangeTest, nn, optim } from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import { cnn2, golden, loaders } from "./fixture.js";

const { ReduceLROnPlateau, CyclicLR, CosineAnnealingWarmRestarts } = optim.lrScheduler;

describeEachBackend(`Trainer matches the book's StepByStep in PyTorch ${golden.torch_version}`, () => {
  it("Adam + ReduceLROnPlateau fed the validation loss", () => {
    const model = cnn2();
    const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
    const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
    const { train, val } = loaders();
    trainer.setLoaders(train, val);
    trainer.setLrScheduler(new ReduceLROnPlateau(optimizer, { mode: "min", factor: 0.5, patience: 0 }));
    expect(trainer.isBatchLrScheduler).toBe(false);
    trainer.train(5, { progress: false });
    const expected = golden.runs.adam_plateau;
    expectClose(trainer.losses, expected.losses, { rtol: 1e-4, atol: 0, what: "train losses" });
    expectClose(trainer.valLosses, expected.val_losses, { rtol: 1e-4, atol: 0, what: "val losses" });
    expectClose(trainer.learningRates.flat(), expected.learning_rates.flat(), {
      rtol: 1e-12,
      atol: 0,
      what: "learning rates",
    });
  });

  it("SGD with Nesterov momentum + CyclicLR stepped per mini-batch", () => {
    const model = cnn2();
    const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3, momentum: 0.9, nesterov: true });
    const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
    const { train, val } = loaders();
    trainer.setLoaders(train, val);
    trainer.setLrScheduler(
      new CyclicLR(optimizer, { baseLr: 1e-3, maxLr: 0.05, stepSizeUp: train.length, mode: "triangular2" }),
    );
    expect(trainer.isBatchLrScheduler).toBe(true);
    trainer.train(4, { progress: false });
    const expected = golden.runs.sgd_nesterov_cyclic;
    expect(trainer.learningRates.length).toBe(4 * train.length);
    expectClose(trainer.learningRates.flat(), expected.learning_rates.flat(), {
      rtol: 1e-12,
      atol: 0,
      what: "learning rates",
    });
    expectClose(trainer.losses, expected.losses, { rtol: 1e-4, atol: 0, what: "train losses" });
    expectClose(trainer.valLosses, expected.val_losses, { rtol: 1e-4, atol: 0, what: "val losses" });
    expectClose(
      optimizer.paramGroups.map((g) => g.momentum),
      expected.momentum,
      { rtol: 1e-12, atol: 0 },
    );
  });

  it("CosineAnnealingWarmRestarts stepped with the fractional epoch", () => {
    const model = cnn2();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.02, momentum: 0.5 });
    const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
    const { train, val } = loaders();
    trainer.setLoaders(train, val);
    trainer.setLrScheduler(new CosineAnnealingWarmRestarts(optimizer, { T0: 2, TMult: 1, etaMin: 1e-4 }));
    trainer.train(3, { progress: false });
    const expected = golden.runs.sgd_warm_restarts;
    expectClose(trainer.learningRates.flat(), expected.learning_rates.flat(), {
      rtol: 1e-12,
      atol: 0,
      what: "learning rates",
    });
    expectClose(trainer.losses, expected.losses, { rtol: 1e-4, atol: 0, what: "train losses" });
  });

  for (const stepMode of ["exp", "linear"] as const) {
    it(`the LR range test (${stepMode} steps) gives the book's lr and smoothed loss series and restores the model`, () => {
      const model = cnn2();
      const before = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.tolist()]));
      const optimizer = new optim.Adam(model.parameters(), { lr: 1e-4 });
      const optimizerBefore = JSON.stringify(optimizer.stateDict());
      const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
      const result = trainer.lrRangeTest(loaders().train, { endLr: 0.1, numIter: 20, stepMode, alpha: 0.05 });
      const expected = golden.runs[`lr_range_test_${stepMode}`];
      expectClose(result.lr, expected.lr, { rtol: 1e-12, atol: 0, what: "rates" });
      expectClose(result.loss, expected.loss, { rtol: 1e-4, atol: 0, what: "smoothed losses" });
      expect(expected.restored).toBe(true);
      for (const [k, v] of Object.entries(model.stateDict())) expect(v.tolist(), k).toEqual(before[k]);
      expect(JSON.stringify(optimizer.stateDict())).toBe(optimizerBefore);
      expect(optimizer.paramGroups[0].lr).toBe(1e-4);
      expect(result.suggestion?.rule).toBe("steepest");
    });
  }

  it("makeNormalizer computes the book's per-channel mean of means and mean of standard deviations", () => {
    const normalizer = Trainer.makeNormalizer(loaders().train);
    expectClose(normalizer.mean, golden.normalizer.mean, { rtol: 1e-5, atol: 1e-7, what: "mean" });
    expectClose(normalizer.std, golden.normalizer.std, { rtol: 1e-5, atol: 1e-7, what: "std" });
  });

  it("makeLrFn(0.01, 0.1, 10) over 0..10 reproduces the book's array", () => {
    const exp = makeLrFn(0.01, 0.1, 10);
    const linear = makeLrFn(0.01, 0.1, 10, "linear");
    expectClose(
      Array.from({ length: 11 }, (_, i) => exp(i)),
      golden.make_lr_fn.exp,
      { rtol: 1e-14, atol: 0 },
    );
    expectClose(
      Array.from({ length: 11 }, (_, i) => linear(i)),
      golden.make_lr_fn.linear,
      { rtol: 1e-14, atol: 0 },
    );
  });

  it("lrRangeTest as a function matches the method", () => {
    const model = cnn2();
    const result = lrRangeTest({
      model,
      lossFn: new nn.CrossEntropyLoss(),
      optimizer: new optim.Adam(model.parameters(), { lr: 1e-4 }),
      loader: loaders().train,
      endLr: 0.1,
      numIter: 20,
    });
    expectClose(result.loss, golden.runs.lr_range_test_exp.loss, { rtol: 1e-4, atol: 0 });
  });
});
