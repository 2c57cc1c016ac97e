/** The Trainer's behaviour: checkpoints, hooks, dispatch, helpers, the LR finder's extras. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import {
  DataLoader,
  Generator,
  TensorDataset,
  Trainer,
  lrRangeTest,
  manualSeed,
  models,
  nn,
  optim,
  steepestSuggestion,
  tensor,
  valleySuggestion,
} from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import { cnn2, loaders, syntheticImages } from "./fixture.js";

const { StepLR, ReduceLROnPlateau, CyclicLR } = optim.lrScheduler;
const folder = mkdtempSync(join(tmpdir(), "gradstep-checkpoints-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A CNN2 with dropout, SGD-momentum, StepLR and a shuffling loader with its own generator. */
function build() {
  manualSeed(3);
  const model = new models.CNN2(5, 0.3);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
  trainer.setLoaders(
    new DataLoader(syntheticImages(32, 0), { batchSize: 8, shuffle: true, generator: new Generator() }),
    new DataLoader(syntheticImages(8, 32), { batchSize: 8 }),
  );
  trainer.setLrScheduler(new StepLR(optimizer, { stepSize: 1, gamma: 0.7 }));
  return trainer;
}

const weights = (t: Trainer) => Object.values(t.model.stateDict()).flatMap((p) => Array.from(p.toArray()));

describeEachBackend("Trainer", (backend) => {
  it("4 epochs equal 2 epochs, a checkpoint, fresh objects and 2 more — bit for bit", async () => {
    const straight = build();
    straight.train(4, { seed: 11, progress: false });

    const first = build();
    first.train(2, { seed: 11, progress: false });
    const path = join(folder, `resume-${backend}.json`);
    await first.saveCheckpoint(path);
    expect(readdirSync(folder).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const resumed = build();
    await resumed.loadCheckpoint(path);
    expect(resumed.totalEpochs).toBe(2);
    resumed.train(2, { progress: false });

    expect(resumed.losses).toEqual(straight.losses);
    expect(resumed.valLosses).toEqual(straight.valLosses);
    expect(resumed.learningRates).toEqual(straight.learningRates);
    expect(weights(resumed)).toEqual(weights(straight));
  });

  it("the checkpoint holds PyTorch's state-dict layouts with base64 float32 tensors", async () => {
    const trainer = build();
    trainer.train(1, { progress: false });
    const path = join(folder, `layout-${backend}.json`);
    await trainer.saveCheckpoint(path);
    const saved = JSON.parse(readFileSync(path, "utf8"));
    expect(Object.keys(saved.model_state_dict)).toEqual([
      "conv1.weight",
      "conv1.bias",
      "conv2.weight",
      "conv2.bias",
      "fc1.weight",
      "fc1.bias",
      "fc2.weight",
      "fc2.bias",
    ]);
    expect(saved.model_state_dict["fc2.bias"]).toMatchObject({ __tensor__: "float32", shape: [3] });
    expect(saved.optimizer_state_dict.param_groups[0]).toMatchObject({
      lr: 0.05 * 0.7,
      momentum: 0.9,
      initial_lr: 0.05,
      params: [0, 1, 2, 3, 4, 5, 6, 7],
    });
    expect(Object.keys(saved.optimizer_state_dict.state[0])).toEqual(["momentum_buffer"]);
    expect(saved.scheduler).toBe("StepLR");
    expect(saved.scheduler_state_dict).toMatchObject({ step_size: 1, gamma: 0.7, last_epoch: 1 });
    expect(saved.epoch).toBe(1);
  });

  it("a truncated, foreign or mismatched checkpoint is a clear error and changes nothing", async () => {
    const source = build();
    source.train(1, { progress: false });
    const good = join(folder, `good-${backend}.json`);
    await source.saveCheckpoint(good);
    const text = readFileSync(good, "utf8");

    const target = build();
    target.train(1, { seed: 5, progress: false });
    const snapshot = () =>
      JSON.stringify({
        w: weights(target),
        o: target.optimizer.stateDict().param_groups,
        s: target.scheduler!.stateDict(),
        l: target.losses,
        e: target.totalEpochs,
      });
    const before = snapshot();

    const truncated = join(folder, `truncated-${backend}.json`);
    writeFileSync(truncated, text.slice(0, text.length / 2));
    await expect(target.loadCheckpoint(truncated)).rejects.toThrow(/truncated or not JSON/);

    const foreign = join(folder, `foreign-${backend}.json`);
    writeFileSync(foreign, JSON.stringify({ hello: "world" }));
    await expect(target.loadCheckpoint(foreign)).rejects.toThrow(/not a gradstep checkpoint/);

    const saved = JSON.parse(text);
    saved.model_state_dict["fc2.bias"] = { __tensor__: "float32", shape: [4], data: "AAAAAAAAAAAAAAAAAAAAAA==" };
    const mismatched = join(folder, `mismatched-${backend}.json`);
    writeFileSync(mismatched, JSON.stringify(saved));
    await expect(target.loadCheckpoint(mismatched)).rejects.toThrow(/size mismatch for fc2.bias/);

    // the model loads but the optimizer does not: the model is rolled back too
    const wrongOptimizer = JSON.parse(text);
    wrongOptimizer.optimizer_state_dict.param_groups[0].params = [0, 1];
    const partial = join(folder, `partial-${backend}.json`);
    writeFileSync(partial, JSON.stringify(wrongOptimizer));
    await expect(target.loadCheckpoint(partial)).rejects.toThrow(/doesn't match the size of optimizer's group/);

    const other = new Trainer(target.model, target.lossFn, target.optimizer);
    await expect(other.loadCheckpoint(good)).rejects.toThrow(/saved with scheduler StepLR, but this trainer has none/);
    await expect(target.loadCheckpoint(join(folder, "missing.json"))).rejects.toThrow(/ENOENT/);
    expect(snapshot()).toBe(before);
  });

  it("captureGradients records every step's gradients without changing them", () => {
    const model = cnn2();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
    const seen: number[][] = [];
    model.fc2.bias!.registerHook((g) => void seen.push(Array.from(g.toArray())));
    trainer.setLoaders(loaders().train);
    trainer.captureGradients(["fc2", "conv1"]);
    trainer.train(1, { progress: false });
    expect(Object.keys(trainer.capturedGradients)).toEqual(["conv1", "fc2"]);
    expect(Object.keys(trainer.capturedGradients.fc2)).toEqual(["weight", "bias"]);
    expect(trainer.capturedGradients.fc2.bias.length).toBe(3);
    expectClose((trainer.capturedGradients.fc2.bias as number[][]).flat(), seen.flat(), { rtol: 0, atol: 0 });
    trainer.removeHooks();
    trainer.train(1, { progress: false });
    expect(trainer.capturedGradients.fc2.bias.length).toBe(3);
  });

  it("captureParameters and attachHooks record parameters and outputs at every forward", () => {
    const model = cnn2();
    const trainer = new Trainer(model, new nn.CrossEntropyLoss(), new optim.SGD(model.parameters(), { lr: 0.01 }));
    trainer.setLoaders(loaders().train, loaders().val);
    trainer.captureParameters("fc2");
    trainer.train(1, { progress: false });
    // 3 training batches and 1 validation batch
    expect(trainer.capturedParameters.fc2.bias.length).toBe(4);
    expect(trainer.capturedParameters.fc2.bias[3]).toEqual(model.fc2.bias!.tolist());
    trainer.removeHooks();
    trainer.attachHooks(["conv1", "fc1"]);
    trainer.predict(syntheticImages(5, 0).tensors[0]);
    trainer.predict(syntheticImages(2, 5).tensors[0]);
    expect(trainer.visualization.conv1!.shape).toEqual([7, 5, 26, 26]);
    expect(trainer.visualization.fc1!.shape).toEqual([7, 50]);
    expect(() => trainer.attachHooks("nope")).toThrow(/no layer named 'nope'/);
    trainer.removeHooks();
    expect(trainer.handles).toEqual({});
  });

  it("correct() counts per class; loaderApply sums over batches", () => {
    const model = new nn.Sequential(new nn.Linear(2, 3));
    model.loadStateDict({
      "0.weight": tensor([
        [1, 0],
        [0, 1],
        [-1, -1],
      ]),
      "0.bias": tensor([0, 0, 0]),
    });
    const trainer = new Trainer(model, new nn.CrossEntropyLoss(), new optim.SGD(model.parameters(), { lr: 0.1 }));
    const x = tensor([
      [2, 0],
      [0, 2],
      [-1, -1],
      [3, 1],
      [1, 3],
    ]);
    const y = tensor([0, 1, 2, 1, 1], { dtype: "int32" });
    expect(trainer.correct(x, y).tolist()).toEqual([
      [1, 1],
      [2, 3],
      [1, 1],
    ]);
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 2 });
    expect(Trainer.loaderApply(loader, (a, b) => trainer.correct(a, b)).tolist()).toEqual([
      [1, 1],
      [2, 3],
      [1, 1],
    ]);

    const binary = new nn.Sequential(new nn.Linear(1, 1), new nn.Sigmoid());
    binary.loadStateDict({ "0.weight": tensor([[1]]), "0.bias": tensor([0]) });
    const t2 = new Trainer(binary, new nn.BCELoss(), new optim.SGD(binary.parameters(), { lr: 0.1 }));
    expect(t2.correct(tensor([[1], [-1], [2]]), tensor([1, 1, 0], { dtype: "int32" })).tolist()).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it("ReduceLROnPlateau without a validation loader, and a scheduler of another optimizer, are errors", () => {
    const model = cnn2();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
    trainer.setLoaders(loaders().train);
    trainer.setLrScheduler(new ReduceLROnPlateau(optimizer));
    expect(() => trainer.train(1, { progress: false })).toThrow(/needs a validation loss/);
    const other = new optim.SGD(cnn2().parameters(), { lr: 0.1, momentum: 0.9 });
    expect(() => trainer.setLrScheduler(new CyclicLR(other, { baseLr: 0.01, maxLr: 0.1 }))).toThrow(
      /different optimizer/,
    );
  });

  it("the LR range test refuses an optimizer with a scheduler, stops on divergence, and can use a validation loader", () => {
    const model = cnn2();
    const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3 });
    new StepLR(optimizer, { stepSize: 1 });
    expect(() =>
      lrRangeTest({ model, lossFn: new nn.CrossEntropyLoss(), optimizer, loader: loaders().train, endLr: 1 }),
    ).toThrow(/already has a learning-rate scheduler/);

    const fresh = cnn2();
    const sgd = new optim.SGD(fresh.parameters(), { lr: 1e-2 });
    const diverging = lrRangeTest({
      model: fresh,
      lossFn: new nn.CrossEntropyLoss(),
      optimizer: sgd,
      loader: loaders().train,
      endLr: 1e4,
      numIter: 60,
      divergeTh: 3,
    });
    expect(diverging.diverged).toBe(true);
    expect(diverging.loss.length).toBeLessThan(60);
    const last = diverging.loss[diverging.loss.length - 1];
    expect(last > 3 * Math.min(...diverging.loss) || Number.isNaN(last)).toBe(true);

    const withVal = lrRangeTest({
      model: fresh,
      lossFn: new nn.CrossEntropyLoss(),
      optimizer: sgd,
      loader: loaders().train,
      valLoader: loaders().val,
      endLr: 0.1,
      numIter: 5,
      alpha: 1,
    });
    expect(withVal.loss.length).toBe(5);
    expect(withVal.lr[0]).toBe(1e-2);
    expect(sgd.paramGroups[0].lr).toBe(1e-2);
  });

  it("progress prints one line per epoch when not on a terminal", () => {
    const model = cnn2();
    const trainer = new Trainer(model, new nn.CrossEntropyLoss(), new optim.SGD(model.parameters(), { lr: 0.01 }));
    trainer.setLoaders(loaders().train, loaders().val);
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    (process.stdout as { write: unknown }).write = (text: string) => (lines.push(text), true);
    try {
      trainer.train(2);
    } finally {
      (process.stdout as { write: unknown }).write = write;
    }
    expect(lines.length).toBe(2);
    expect(lines[1]).toMatch(/^epoch 2 {2}loss \d\.\d+ {2}val_loss \d\.\d+ {2}lr 0\.01000\n$/);
  });
});

it("suggestions: steepest descent (NumPy's gradient) and fastai's valley", () => {
  const lrs = Array.from({ length: 30 }, (_, i) => 10 ** (-4 + i / 10));
  const losses = lrs.map((_, i) =>
    i < 20 ? 2 - 0.05 * i - (i > 12 && i < 16 ? 0.1 * (i - 12) : 0) : 1 + (i - 20) * 0.3,
  );
  const steepest = steepestSuggestion(lrs, losses)!;
  // slopes of a decreasing run are most negative where the extra drop is: around i = 13..15
  expect(steepest.rule).toBe("steepest");
  expect(steepest.index).toBeGreaterThanOrEqual(13);
  expect(steepest.index).toBeLessThanOrEqual(16);
  const valley = valleySuggestion(lrs, losses, 30)!;
  expect(valley.rule).toBe("valley");
  expect(valley.index).toBeGreaterThan(3);
  expect(valley.index).toBeLessThan(20);
  expect(steepestSuggestion([1, 2], [1, 2])).toBeNull();
});
