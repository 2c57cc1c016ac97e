/**
 * The lecture on learning-rate schedules, in four steps on one small classification problem:
 *
 *   1. a hand-written `adjustLearningRate(optimizer, epoch)`: decay the rate by 10x every 10th
 *      epoch, writing it into every parameter group (PyTorch's ImageNet example does exactly this);
 *   2. the same idea as a scheduler object: `ExponentialLR` (and `StepLR`, which *is* step 1);
 *   3. `ReduceLROnPlateau` watching the validation accuracy (`mode: "max"`);
 *   4. saving model, optimizer and scheduler in the middle of a run, loading them into freshly built
 *      objects, and continuing — the resumed run is identical to one never interrupted.
 *
 *     npm run example -- lecture_schedulers
 *
 * The loop is written out by hand (forward, loss, backward, step, then the scheduler once per
 * epoch), as in the lecture; gradstep's `Trainer` is only used to write and read the checkpoint.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DataLoader,
  F,
  Generator,
  manualSeed,
  nn,
  noGrad,
  optim,
  Tensor,
  tensor,
  TensorDataset,
  tidy,
  Trainer,
} from "gradstep";
import { num, quickOr, section, subsection, table } from "./common.js";

export const description =
  "hand-written adjustLearningRate, ExponentialLR, ReduceLROnPlateau on accuracy (max mode), then save, load and resume";

const EPOCHS = quickOr(30, 12);
const BASE_LR = 0.1;

// ---- data: three interleaved spirals, 2-D points, 3 classes ------------------------------------

function makeSpirals(perClass: number, g: Generator): { x: Tensor; y: Tensor } {
  const points: number[][] = [];
  const labels: number[] = [];
  const noise = new Float64Array(perClass * 3);
  g.normal(noise, 0, 0.25);
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < perClass; i++) {
      const r = (i + 1) / perClass; // radius 0 → 1
      const theta = (k * 2 * Math.PI) / 3 + 4 * r + noise[k * perClass + i]; // three arms, each turning by 4 rad
      points.push([r * Math.sin(theta), r * Math.cos(theta)]);
      labels.push(k);
    }
  }
  return { x: tensor(points), y: tensor(labels, { dtype: "int32" }) };
}

const data = (() => {
  const g = new Generator().manualSeed(3);
  return { train: makeSpirals(100, g), val: makeSpirals(50, g) };
})();

// ---- one training run's objects ------------------------------------------------------------------

interface Run {
  model: nn.Module;
  optimizer: optim.SGD;
  trainLoader: DataLoader<Tensor[]>;
  lossFn: nn.CrossEntropyLoss;
}

/**
 * An MLP 2 → 32 → 32 → 3 and SGD with momentum, in two parameter groups as is common practice:
 * weights with weight decay, biases without. `seed` fixes the starting weights and the shuffling.
 */
function build(seed: number): Run {
  manualSeed(seed);
  const model = new nn.Sequential(
    new nn.Linear(2, 32),
    new nn.ReLU(),
    new nn.Linear(32, 32),
    new nn.ReLU(),
    new nn.Linear(32, 3),
  );
  const named = [...model.namedParameters()];
  const weights = named.filter(([name]) => name.endsWith("weight")).map(([, p]) => p);
  const biases = named.filter(([name]) => name.endsWith("bias")).map(([, p]) => p);
  const optimizer = new optim.SGD(
    [
      { params: weights, weightDecay: 1e-3 },
      { params: biases, weightDecay: 0 },
    ],
    { lr: BASE_LR, momentum: 0.9 },
  );
  const trainLoader = new DataLoader(new TensorDataset(data.train.x, data.train.y), {
    batchSize: 32,
    shuffle: true,
    generator: new Generator().manualSeed(seed),
  });
  return { model, optimizer, trainLoader, lossFn: new nn.CrossEntropyLoss() };
}

/**
 * One pass over the training data; the mean mini-batch loss. Each mini-batch runs inside `tidy`,
 * which frees the batch's tensors (activations, gradients) when it returns — on the WebAssembly
 * backend, whose memory the garbage collector cannot see, a loop needs that; on the JS backend it
 * changes nothing. The model and optimizer (parameters, momentum buffers) are kept. The gradients
 * are cleared after the step (the book's order) so that they are freed with the batch's `tidy`.
 */
function trainEpoch({ model, optimizer, trainLoader, lossFn }: Run): number {
  model.train();
  let total = 0;
  let batches = 0;
  for (const [x, y] of trainLoader) {
    total += tidy(
      () => {
        const loss = lossFn.call(model.call(x), y) as Tensor;
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return loss.item();
      },
      model,
      optimizer,
    );
    batches++;
  }
  return total / batches;
}

/** Validation loss and accuracy (in %), in eval mode without building a graph. */
function validate({ model }: Run): { valLoss: number; accuracy: number } {
  model.eval();
  return tidy(() =>
    noGrad(() => {
      const logits = model.call(data.val.x) as Tensor;
      const valLoss = F.crossEntropy(logits, data.val.y).item();
      const accuracy = (100 * logits.argmax(1).eq(data.val.y).float().sum().item()) / data.val.y.shape[0];
      return { valLoss, accuracy };
    }),
  );
}

/** Each group's current rate, e.g. "0.1000 / 0.1000". */
const rates = (optimizer: optim.Optimizer) => optimizer.paramGroups.map((g) => num(g.lr, 4)).join(" / ");

// ---- 1. by hand ------------------------------------------------------------------------------------

/**
 * Sets the learning rate to the initial rate decayed by 10 every 10 epochs:
 * lr = 0.1 · 0.1^⌊epoch / 10⌋ — in *every* parameter group, or the groups would drift apart.
 */
function adjustLearningRate(optimizer: optim.Optimizer, epoch: number): void {
  const lr = BASE_LR * 0.1 ** Math.floor(epoch / 10);
  for (const group of optimizer.paramGroups) group.lr = lr;
}

function byHand(): number {
  section("1. A hand-written schedule: adjustLearningRate(optimizer, epoch)");
  console.log("lr = 0.1 · 0.1^⌊epoch/10⌋, set in both groups (weights with weight decay / biases without)");
  console.log("at the start of every epoch. Next to it, StepLR(stepSize 10, gamma 0.1) on a dummy optimizer:\n");
  const run = build(1);
  const dummy = new optim.SGD([tensor([0], { requiresGrad: true })], { lr: BASE_LR });
  const stepLR = new optim.lrScheduler.StepLR(dummy, { stepSize: 10, gamma: 0.1 });
  const rows: (string | number)[][] = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    adjustLearningRate(run.optimizer, epoch);
    const lrUsed = rates(run.optimizer);
    const loss = trainEpoch(run);
    const { accuracy } = validate(run);
    rows.push([epoch, lrUsed, num(stepLR.getLastLr()[0], 4), loss.toFixed(4), accuracy.toFixed(1)]);
    dummy.step();
    stepLR.step();
  }
  table(["epoch", "lr (group 0 / 1)", "StepLR", "train loss", "val acc %"], rows);
  console.log("The function and StepLR agree at every epoch: StepLR is this function, packaged with its state");
  console.log("(last_epoch, base_lrs) so that it can be saved and resumed.");
  return Number(rows.at(-1)![4]);
}

// ---- 2. ExponentialLR ------------------------------------------------------------------------------

function exponential(): number {
  const gamma = 0.1 ** (1 / 10);
  section(`2. ExponentialLR(gamma = 0.1^(1/10) = ${gamma.toFixed(4)}): the same 10x per 10 epochs, smoothly`);
  const run = build(1);
  const scheduler = new optim.lrScheduler.ExponentialLR(run.optimizer, { gamma });
  const rows: (string | number)[][] = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const lrUsed = rates(run.optimizer);
    const loss = trainEpoch(run);
    const { accuracy } = validate(run);
    rows.push([epoch, lrUsed, num(BASE_LR * gamma ** epoch, 4), loss.toFixed(4), accuracy.toFixed(1)]);
    scheduler.step(); // after the epoch's optimizer steps, once per epoch
  }
  table(["epoch", "lr (group 0 / 1)", "0.1·γ^epoch", "train loss", "val acc %"], rows);
  console.log("lr_epoch = lr_(epoch-1) · γ (PyTorch's recursive form) equals the closed form 0.1 · γ^epoch.");
  console.log(
    "Smooth is not always better: by epoch 5 the rate is already below 0.03, before the spirals are learned,",
  );
  console.log("and training stalls. A schedule fixed in advance cannot know when the model is ready to slow down.");
  return Number(rows.at(-1)![4]);
}

// ---- 3. ReduceLROnPlateau on accuracy ----------------------------------------------------------------

interface EpochRecord {
  epoch: number;
  lr: string;
  loss: number;
  accuracy: number;
}

function plateauScheduler(optimizer: optim.Optimizer): optim.lrScheduler.ReduceLROnPlateau {
  // mode "max": accuracy should go *up*; cut the rate in half after 3 epochs without a new best
  return new optim.lrScheduler.ReduceLROnPlateau(optimizer, { mode: "max", factor: 0.5, patience: 3 });
}

/** Trains `run` from epoch `from` to `to` (exclusive) under a plateau scheduler, recording each epoch. */
function trainWithPlateau(
  run: Run,
  scheduler: optim.lrScheduler.ReduceLROnPlateau,
  from: number,
  to: number,
  trainer?: Trainer,
): EpochRecord[] {
  const records: EpochRecord[] = [];
  for (let epoch = from; epoch < to; epoch++) {
    const lr = rates(run.optimizer);
    const loss = trainEpoch(run);
    const { valLoss, accuracy } = validate(run);
    scheduler.step(accuracy); // the metric to watch, once per epoch
    records.push({ epoch, lr, loss, accuracy });
    if (trainer) {
      // keep the Trainer's history in step, so that the checkpoint carries it
      trainer.totalEpochs = epoch + 1;
      trainer.losses.push(loss);
      trainer.valLosses.push(valLoss);
      trainer.learningRates.push(run.optimizer.paramGroups.map((g) => g.lr));
    }
  }
  return records;
}

function plateau(): EpochRecord[] {
  section("3. ReduceLROnPlateau on validation accuracy (mode max, factor 0.5, patience 3)");
  const run = build(1);
  const scheduler = plateauScheduler(run.optimizer);
  const records = trainWithPlateau(run, scheduler, 0, EPOCHS);
  let best = -Infinity;
  table(
    ["epoch", "lr (group 0 / 1)", "train loss", "val acc %", ""],
    records.map((r, i) => {
      const notes: string[] = [];
      if (r.accuracy > best) {
        best = r.accuracy;
        notes.push("new best");
      }
      const next = records[i + 1];
      if (next && next.lr !== r.lr) notes.push("→ rate halved after this epoch");
      return [r.epoch, r.lr, r.loss.toFixed(4), r.accuracy.toFixed(1), notes.join(", ")];
    }),
  );
  console.log('The scheduler only reacts to the number it is given: with mode "max" an epoch counts as bad unless it');
  console.log("beats the best accuracy so far (by a relative 1e-4); after more than 3 bad epochs in a row it halves");
  console.log("every group's rate.");
  return records;
}

// ---- 4. save, load, resume -------------------------------------------------------------------------

async function resume(uninterrupted: EpochRecord[]): Promise<void> {
  const stopAt = Math.floor(EPOCHS / 2);
  section(
    `4. Save at epoch ${stopAt}, load into fresh objects, continue — compared with the uninterrupted run of section 3`,
  );
  const dir = mkdtempSync(join(tmpdir(), "gradstep-lecture-"));
  const path = join(dir, "checkpoint.json");
  try {
    // The first half: the same seed as section 3, stopped after `stopAt` epochs.
    const first = build(1);
    const firstScheduler = plateauScheduler(first.optimizer);
    const firstTrainer = new Trainer(first.model, first.lossFn, first.optimizer);
    firstTrainer.setLoaders(first.trainLoader);
    firstTrainer.setLrScheduler(firstScheduler);
    const before = trainWithPlateau(first, firstScheduler, 0, stopAt, firstTrainer);
    await firstTrainer.saveCheckpoint(path);

    const saved = JSON.parse(readFileSync(path, "utf8")) as Record<string, any>;
    console.log(`saved ${path} (${readFileSync(path).length} bytes) with the keys:`);
    console.log(`  ${Object.keys(saved).join(", ")}`);
    console.log(
      `  epoch: ${saved.epoch}, optimizer lrs: ${saved.optimizer_state_dict.param_groups.map((g: { lr: number }) => g.lr).join(", ")}, scheduler: ${saved.scheduler}`,
    );
    const sched = saved.scheduler_state_dict;
    console.log(
      `  scheduler_state_dict: mode ${sched.mode}, best ${num(sched.best, 2)}, num_bad_epochs ${sched.num_bad_epochs}, last_epoch ${sched.last_epoch}, cooldown_counter ${sched.cooldown_counter}`,
    );
    console.log("  (tensors are stored exactly, as base64 float32; so are the random generators' states)");

    // A new process would start here: build everything afresh — different seed, so different weights —
    // then load the checkpoint into the new objects.
    const second = build(999);
    const secondScheduler = plateauScheduler(second.optimizer);
    const secondTrainer = new Trainer(second.model, second.lossFn, second.optimizer);
    secondTrainer.setLoaders(second.trainLoader);
    secondTrainer.setLrScheduler(secondScheduler);
    const weightBefore = second.model.stateDict()["0.weight"].toArray()[0].toFixed(6);
    await secondTrainer.loadCheckpoint(path);
    const weightAfter = second.model.stateDict()["0.weight"].toArray()[0].toFixed(6);
    console.log(
      `\nloaded into fresh objects: first weight ${weightBefore} → ${weightAfter}, rates ${rates(second.optimizer)},`,
    );
    console.log(
      `scheduler best ${num(secondScheduler.best, 2)}, bad epochs ${secondScheduler.numBadEpochs}, trainer.totalEpochs ${secondTrainer.totalEpochs}, ${secondTrainer.losses.length} losses of history`,
    );

    const after = trainWithPlateau(second, secondScheduler, secondTrainer.totalEpochs, EPOCHS, secondTrainer);
    subsection("the resumed run next to the uninterrupted one");
    const resumed = [...before, ...after];
    const same = (a: EpochRecord, b: EpochRecord) => a.lr === b.lr && a.loss === b.loss && a.accuracy === b.accuracy;
    table(
      [
        "epoch",
        "lr (uninterrupted)",
        "lr (resumed)",
        "loss (uninterrupted)",
        "loss (resumed)",
        "acc % (unint.)",
        "acc % (resumed)",
        "",
      ],
      resumed.slice(Math.max(0, stopAt - 3), stopAt + 5).map((r) => {
        const u = uninterrupted[r.epoch];
        return [
          r.epoch,
          u.lr,
          r.lr,
          u.loss.toFixed(6),
          r.loss.toFixed(6),
          u.accuracy.toFixed(1),
          r.accuracy.toFixed(1),
          r.epoch === stopAt ? "← first epoch after loading" : "",
        ];
      }),
    );
    const identical = after.filter((r) => same(r, uninterrupted[r.epoch])).length;
    console.log(
      `\n${identical} of ${after.length} resumed epochs identical to the uninterrupted run (rates, losses to the last bit, accuracies):`,
    );
    console.log(identical === after.length ? "the resumed run continues seamlessly." : "THE RESUMED RUN DIVERGED.");
    console.log(
      "Loading the scheduler's state matters: a fresh ReduceLROnPlateau would forget its best accuracy and its",
    );
    console.log("count of bad epochs, and a fresh StepLR would restart its epoch count from 0.");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  console.log(
    `data: three spirals, ${data.train.y.shape[0]} training and ${data.val.y.shape[0]} validation points; MLP 2 → 32 → 32 → 3;`,
  );
  console.log(
    `SGD(lr ${BASE_LR}, momentum 0.9) with weight decay 1e-3 on weights only (two param groups); ${EPOCHS} epochs of batches of 32`,
  );
  const stepAccuracy = byHand();
  const exponentialAccuracy = exponential();
  const uninterrupted = plateau();
  await resume(uninterrupted);
  section("Summary: validation accuracy after the last epoch");
  table(
    ["schedule", "val acc %"],
    [
      ["adjustLearningRate (= StepLR(10, 0.1))", stepAccuracy.toFixed(1)],
      ["ExponentialLR(0.1^(1/10))", exponentialAccuracy.toFixed(1)],
      ["ReduceLROnPlateau(max, 0.5, patience 3)", uninterrupted.at(-1)!.accuracy.toFixed(1)],
    ],
  );
}
