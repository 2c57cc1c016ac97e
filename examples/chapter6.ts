/**
 * Chapter 6 of *Deep Learning with PyTorch Step-by-Step* ("Rock, Paper, Scissors"), in gradstep:
 *
 *   1. standardization — a `Normalize` built from the *training* set's per-channel statistics;
 *   2. dropout — train vs eval mode, what dropout does to the outputs for p = 0.1 … 0.9, and a
 *      CNN trained with and without it;
 *   3. Adam — its two moving averages (EWMAs) rebuilt from the logged gradients and matched to the
 *      optimizer's own state, and the "adapted gradients" it steps with;
 *   4. SGD flavours — plain, momentum and Nesterov on the same problem;
 *   5. schedulers — the learning rate each scheduler produces, epoch by epoch or batch by batch.
 *
 *     npm run example -- chapter6
 *
 * Sections 3-5 use the book's simple linear regression (y = 1 + 2x + noise), whose two
 * parameters make every number easy to follow. At the end the chapter's figures are written as SVG
 * files, and together on one HTML page, to a folder whose path is printed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DataLoader,
  F,
  Generator,
  linspace,
  manualSeed,
  models,
  nn,
  ones,
  optim,
  plot,
  rand,
  randn,
  randperm,
  Report,
  Tensor,
  tensor,
  TensorDataset,
  tidy,
  Trainer,
  ewma,
} from "gradstep";
import {
  bar,
  histogram,
  meanStd,
  num,
  outputDir,
  quickOr,
  relativeDifference,
  section,
  subsection,
  table,
} from "./common.js";

export const description =
  "the book's chapter 6: standardization, dropout, Adam's EWMAs matched to its state, SGD flavours, scheduler paths";

const { lrScheduler } = optim;

// ---- a small synthetic image set -----------------------------------------------------------------

const CLASS_NAMES = ["rock", "paper", "scissors"];

/**
 * `n` RGB images of 28x28 (the shape the book resizes Rock-Paper-Scissors to), `n / 3` per class:
 * a skin-coloured disc (rock), flat rectangle (paper) or V of two strokes (scissors) at a random
 * place, size and shade on a light background, plus pixel noise. Values in [0, 1], like ToTensor's.
 */
export function makeImages(n: number, g: Generator): { images: Tensor; labels: Tensor } {
  const size = 28;
  const data = new Float32Array(n * 3 * size * size);
  const labels: number[] = [];
  const u = new Float64Array(8);
  const noise = new Float64Array(3 * size * size);
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    labels.push(label);
    g.uniform(u);
    g.normal(noise, 0, 0.04);
    const background = [0.82 + 0.12 * u[0], 0.78 + 0.12 * u[0], 0.76 + 0.12 * u[1]];
    const skin = [0.78 + 0.15 * (u[2] - 0.5), 0.55 + 0.15 * (u[3] - 0.5), 0.45 + 0.15 * (u[3] - 0.5)];
    const cx = 9 + 10 * u[4];
    const cy = 9 + 10 * u[5];
    const r = 5 + 4 * u[6];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dx = x - cx;
        const dy = y - cy;
        let inside: boolean;
        if (label === 0) inside = dx * dx + dy * dy < r * r;
        else if (label === 1) inside = Math.abs(dx) < r && Math.abs(dy) < 0.7 * r;
        else inside = dy > -r && dy < r * 0.6 && (Math.abs(dx - 0.5 * dy) < 1.6 || Math.abs(dx + 0.5 * dy) < 1.6);
        for (let c = 0; c < 3; c++) {
          const value = (inside ? skin[c] : background[c]) + noise[c * size * size + y * size + x];
          data[((i * 3 + c) * size + y) * size + x] = Math.min(1, Math.max(0, value));
        }
      }
    }
  }
  return { images: tensor(data).view(n, 3, size, size), labels: tensor(labels, { dtype: "int32" }) };
}

/** Mean of the per-image channel means and of the per-image channel standard deviations, as the book computes them. */
function channelStatistics(loader: DataLoader<Tensor[]>): { mean: number[]; std: number[] } {
  const [counts, sumMeans, sumStds] = Trainer.loaderApply(loader, Trainer.statisticsPerChannel).tolist() as number[][];
  return { mean: sumMeans.map((s, c) => s / counts[c]), std: sumStds.map((s, c) => s / counts[c]) };
}

const fmt3 = (values: readonly number[]) => `[${values.map((v) => v.toFixed(4)).join(", ")}]`;

// ---- 1. standardization --------------------------------------------------------------------------

function standardization() {
  section("1. Standardization: Normalize with the training set's statistics");
  const g = new Generator().manualSeed(13);
  // Deliberately few training images (the book has 2,520), so that the CNN of section 2 overfits
  // within a few epochs and dropout has something to prevent.
  const nTrain = 90;
  const nVal = 150;
  const train = makeImages(nTrain, g);
  const val = makeImages(nVal, g);
  console.log(
    `synthetic "rock / paper / scissors": ${nTrain} training and ${nVal} validation images of shape [3, 28, 28], values in [0, 1]`,
  );

  // The book: temp_loader = DataLoader(train_data, batch_size=16); normalizer = StepByStep.make_normalizer(temp_loader)
  const tempLoader = new DataLoader(new TensorDataset(train.images, train.labels), { batchSize: 16 });
  const normalizer = Trainer.makeNormalizer(tempLoader);
  console.log(
    `Trainer.makeNormalizer(trainLoader) → Normalize(mean=${fmt3(normalizer.mean)}, std=${fmt3(normalizer.std)})`,
  );
  console.log("Only the training set is measured: the validation (and test) images are standardized with the same");
  console.log('numbers, because at prediction time there is no "validation mean" to compute — just one more image.');

  // Normalize works on one image [C, H, W] or a whole batch [N, C, H, W] (channels at dimension -3).
  const trainNormalized = normalizer.call(train.images);
  const valNormalized = normalizer.call(val.images);

  const loaderOf = (x: Tensor, y: Tensor) => new DataLoader(new TensorDataset(x, y), { batchSize: 16 });
  const rows: string[][] = [];
  const before = channelStatistics(loaderOf(train.images, train.labels));
  const after = channelStatistics(loaderOf(trainNormalized, train.labels));
  const valAfter = channelStatistics(loaderOf(valNormalized, val.labels));
  for (let c = 0; c < 3; c++) {
    rows.push([
      ["red", "green", "blue"][c],
      before.mean[c].toFixed(4),
      before.std[c].toFixed(4),
      after.mean[c].toFixed(4),
      after.std[c].toFixed(4),
      valAfter.mean[c].toFixed(4),
      valAfter.std[c].toFixed(4),
    ]);
  }
  table(["channel", "train mean", "train std", "normalized mean", "normalized std", "val mean", "val std"], rows);
  console.log("(means and standard deviations per image, averaged over images — the book's statistics_per_channel)");
  return {
    train: { images: trainNormalized, labels: train.labels },
    val: { images: valNormalized, labels: val.labels },
  };
}

// ---- 2. dropout -------------------------------------------------------------------------------------

function dropout(data: ReturnType<typeof standardization>) {
  section("2. Dropout");
  subsection("train vs eval mode");
  const spacedPoints = linspace(0.1, 1.1, 11);
  const droppingModel = new nn.Sequential(new nn.Dropout(0.5));
  // gradstep's generator is PyTorch's: with torch.manual_seed(44) PyTorch 1.13 drops the same inputs.
  manualSeed(44);
  droppingModel.train();
  const outputTrain = droppingModel.call(spacedPoints) as Tensor;
  droppingModel.eval();
  const outputEval = droppingModel.call(spacedPoints) as Tensor;
  const show = (t: Tensor) => `[${Array.from(t.toArray(), (v) => v.toFixed(2)).join(", ")}]`;
  console.log(`input                      ${show(spacedPoints)}`);
  console.log(`Dropout(0.5), train mode   ${show(outputTrain)}`);
  console.log(`Dropout(0.5), eval mode    ${show(outputEval)}`);
  console.log("In training each input is zeroed with probability p and the survivors are scaled by 1/(1 - p) = 2,");
  console.log("so the *expected* output equals the input; in eval mode dropout does nothing.");
  const weights = ones([11]);
  console.log(
    `a unit-weight neuron sees sum = ${F.linear(outputTrain, weights.view(1, 11)).item().toFixed(2)} in training, ${F.linear(outputEval, weights.view(1, 11)).item().toFixed(2)} in eval`,
  );

  subsection("F.dropout(ones(10000), p): how many are zeroed and what the survivors become");
  const rows: string[][] = [];
  for (const p of [0.1, 0.3, 0.5, 0.9]) {
    const out = Array.from(tidy(() => F.dropout(ones([10_000]), p).toArray()));
    const zeroed = out.filter((v) => v === 0).length / out.length;
    const survivor = out.find((v) => v !== 0) ?? 0;
    const { mean, std } = meanStd(out);
    rows.push([
      p.toFixed(1),
      zeroed.toFixed(4),
      survivor.toFixed(4),
      (1 / (1 - p)).toFixed(4),
      mean.toFixed(4),
      std.toFixed(4),
      Math.sqrt(p / (1 - p)).toFixed(4),
    ]);
  }
  table(["p", "zeroed", "survivors", "1/(1-p)", "mean", "std", "√(p/(1-p))"], rows);
  console.log("The mean stays 1 for every p; the spread grows with p (its theoretical value is √(p/(1-p))).");

  subsection("the distribution of a neuron's input: sum(F.dropout(spacedPoints, p)) over 1000 draws");
  manualSeed(17);
  const summary: string[][] = [];
  const distributions: { p: number; sums: number[] }[] = [];
  for (const p of [0.1, 0.3, 0.5, 0.9]) {
    const sums: number[] = [];
    distributions.push({ p, sums });
    // tidy: free each draw's tensors at once (optional: sweeps would reclaim them, this is just exact)
    for (let i = 0; i < 1000; i++) sums.push(tidy(() => F.dropout(spacedPoints, p).sum().item()));
    const { mean, std } = meanStd(sums);
    summary.push([
      p.toFixed(1),
      mean.toFixed(3),
      std.toFixed(3),
      Math.min(...sums).toFixed(2),
      Math.max(...sums).toFixed(2),
    ]);
    console.log(`\np = ${p}: mean ${mean.toFixed(3)}, std ${std.toFixed(3)}`);
    for (const line of histogram(sums, { bins: 8, width: 36 })) console.log(`  ${line}`);
  }
  console.log("");
  table(["p", "mean", "std", "min", "max"], summary);
  console.log("Without dropout the sum is always 6.60. With dropout it is 6.60 *on average* for every p, but the");
  console.log(
    "higher p, the wider the spread: the next layer must cope with noisy inputs — that is the regularization.",
  );

  subsection("CNN2 trained with and without dropout (Adam, lr 3e-3, batches of 16, 90 training images)");
  const epochs = quickOr(15, 3);
  const trainLoader = new DataLoader(new TensorDataset(data.train.images, data.train.labels), {
    batchSize: 16,
    shuffle: true,
    generator: new Generator().manualSeed(13),
  });
  const valLoader = new DataLoader(new TensorDataset(data.val.images, data.val.labels), { batchSize: 16 });
  const runs: { p: number; trainer: Trainer }[] = [];
  for (const p of [0.3, 0.0]) {
    manualSeed(13); // same starting weights for both
    const model = new models.CNN2(5, p);
    const trainer = new Trainer(model, new nn.CrossEntropyLoss(), new optim.Adam(model.parameters(), { lr: 3e-3 }));
    trainer.setLoaders(trainLoader, valLoader);
    trainer.train(epochs, { seed: 13, progress: false });
    runs.push({ p, trainer });
  }
  table(
    ["epoch", "train (p=0.3)", "val (p=0.3)", "train (p=0)", "val (p=0)"],
    runs[0].trainer.losses.map((_, e) => [
      e + 1,
      ...runs.flatMap(({ trainer }) => [trainer.losses[e].toFixed(4), trainer.valLosses[e].toFixed(4)]),
    ]),
  );
  for (const { p, trainer } of runs) {
    const perClass = trainer.correct(data.val.images, data.val.labels).tolist() as number[][];
    const right = perClass.reduce((s, [c]) => s + c, 0);
    const text = perClass.map(([c, t], k) => `${CLASS_NAMES[k]} ${c}/${t}`).join(", ");
    const gap = trainer.valLosses.at(-1)! - trainer.losses.at(-1)!;
    console.log(
      `p = ${p}: final losses train ${trainer.losses.at(-1)!.toFixed(4)}, val ${trainer.valLosses.at(-1)!.toFixed(4)} (gap ${gap.toFixed(4)}); validation accuracy ${((100 * right) / data.val.images.shape[0]).toFixed(1)}% (${text})`,
    );
  }
  const [withDropout, without] = runs.map(({ trainer }) => trainer.valLosses.at(-1)!);
  console.log(
    "Without dropout the training loss keeps falling while the validation loss stalls: the network memorises",
  );
  console.log(
    "its 90 images (overfitting). With dropout the training loss is measured with units dropped (train mode) and",
  );
  console.log("the validation loss with all of them (eval mode), so the gap between them stays small: the network is");
  console.log("handicapped while it learns and at full strength when judged.");
  console.log(
    withDropout < without
      ? `Here dropout ends with the lower validation loss (${withDropout.toFixed(4)} vs ${without.toFixed(4)}): it regularizes.`
      : `In this run dropout did not lower the validation loss (${withDropout.toFixed(4)} vs ${without.toFixed(4)}); train longer to see it.`,
  );
  return { runs, distributions };
}

// ---- the linear regression of sections 3-5 ---------------------------------------------------------

/** The book's data: x ~ U(0, 1), y = 1 + 2x + N(0, 0.1²), 100 points, 80/20 split; loaders of 16. */
function regressionData() {
  manualSeed(42);
  const x = rand([100, 1]);
  const y = x
    .mul(2)
    .add(1)
    .add(randn([100, 1]).mul(0.1));
  const order = randperm(100);
  const trainIdx = order.narrow(0, 0, 80);
  const valIdx = order.narrow(0, 80, 20);
  const trainLoader = new DataLoader(new TensorDataset(x.index(trainIdx), y.index(trainIdx)), {
    batchSize: 16,
    shuffle: true,
  });
  const valLoader = new DataLoader(new TensorDataset(x.index(valIdx), y.index(valIdx)), { batchSize: 16 });
  return { trainLoader, valLoader, xTrain: x.index(trainIdx), yTrain: y.index(trainIdx) };
}

/** `nn.Sequential` with one layer named "linear", as the book builds it, from the same starting weights each time. */
function linearModel(): nn.Sequential {
  manualSeed(42);
  const model = new nn.Sequential();
  model.addModule("linear", new nn.Linear(1, 1));
  return model;
}

/** A captured gradient or parameter log (one nested list per step) as plain numbers. */
const flat = (log: unknown[]) => log.map((entry) => (entry as number[]).flat(2)[0] as number);

// ---- 3. Adam's EWMAs ---------------------------------------------------------------------------------

function adam() {
  section("3. Adam: two EWMAs of the gradients, matched to the optimizer's state");
  const { trainLoader } = regressionData();
  const model = linearModel();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.1 });
  const trainer = new Trainer(model, new nn.MSELoss(), optimizer);
  trainer.setLoaders(trainLoader);
  const initial = { weight: model.stateDict()["linear.weight"].item(), bias: model.stateDict()["linear.bias"].item() };
  trainer.captureGradients("linear"); // a hook on each parameter logs its gradient at every backward
  trainer.train(10, { progress: false });
  trainer.removeHooks();

  const [beta1, beta2] = optimizer.paramGroups[0].betas;
  console.log(
    `Adam(lr=0.1, betas=(${beta1}, ${beta2})): β = 1 − α and α = 2/(period + 1), so β₁ = 0.9 is an EWMA of period`,
  );
  console.log(
    `${ewma.periodFromAlpha(1 - beta1).toFixed(0)} (average age ${ewma.averageAge(1 - beta1).toFixed(0)} steps) and β₂ = 0.999 one of period ${ewma.periodFromAlpha(1 - beta2).toFixed(0)} (average age ${ewma.averageAge(1 - beta2).toFixed(0)} steps).`,
  );
  console.log(
    `10 epochs × 5 mini-batches = ${trainer.capturedGradients.linear.weight.length} logged gradients per parameter.\n`,
  );

  const state = optimizer.stateDict().state as Record<number, { step: Tensor; exp_avg: Tensor; exp_avg_sq: Tensor }>;
  const rows: string[][] = [];
  let allMatched = true;
  ["weight", "bias"].forEach((name, index) => {
    const gradients = flat(trainer.capturedGradients.linear[name]);
    const expAvg = ewma.calcEwma(gradients, 19).at(-1)!; // calc_ewma(gradients, 19)[-1]
    const expAvgSq = ewma
      .calcEwma(
        gradients.map((g) => g ** 2),
        1999,
      )
      .at(-1)!; // calc_ewma(gradients**2, 1999)[-1]
    for (const [key, ours] of [
      ["exp_avg", expAvg],
      ["exp_avg_sq", expAvgSq],
    ] as const) {
      const theirs = state[index][key].item();
      const diff = relativeDifference(ours, theirs);
      const matched = diff < 1e-4;
      allMatched &&= matched;
      rows.push([
        `${name} ${key}`,
        ours.toExponential(6),
        theirs.toExponential(6),
        diff.toExponential(1),
        matched ? "matched" : "MISMATCH",
      ]);
    }
  });
  table(
    ["state (step " + state[0].step.item() + ")", "calcEwma (float64)", "optimizer.state (float32)", "rel. diff", ""],
    rows,
  );
  console.log(
    allMatched
      ? "\nAll four matched: Adam's exp_avg and exp_avg_sq are exactly the EWMAs of the gradients and their squares."
      : "\nSOME VALUES DID NOT MATCH",
  );

  subsection("adapted gradients: what Adam actually steps with");
  // The book: corrected EWMAs (divided by 1 − βᵗ), then adapted = m̂ / (√v̂ + ε); Adam's step is −lr · adapted.
  const gradients = flat(trainer.capturedGradients.linear.weight);
  const m = ewma.calcCorrectedEwma(gradients, 19);
  const v = ewma.calcCorrectedEwma(
    gradients.map((g) => g ** 2),
    1999,
  );
  const adapted = m.map((mi, i) => mi / (Math.sqrt(v[i]) + 1e-8));
  const shown = [0, 1, 2, 4, 9, 19, 29, 39, 49].filter((i) => i < gradients.length);
  table(
    ["step", "gradient", "m̂ (corrected EWMA)", "√v̂", "adapted m̂/(√v̂+ε)"],
    shown.map((i) => [i + 1, num(gradients[i]), num(m[i]), num(Math.sqrt(v[i])), num(adapted[i])]),
  );
  console.log(
    "The raw gradient shrinks as w approaches its optimum. Dividing by √v̂, the gradient's recent typical size,",
  );
  console.log("makes the first steps ≈ ±lr whatever the gradient's scale (m̂/√v̂ ≈ its sign); later, as the gradients");
  console.log("start to disagree in sign, m̂ averages them out and the steps shrink.");
  const finalWeight = model.stateDict()["linear.weight"].item();
  const predicted = initial.weight - 0.1 * adapted.reduce((a, b) => a + b, 0);
  console.log(
    `check: w₀ − lr·Σ adapted = ${initial.weight.toFixed(6)} − 0.1·(${adapted.reduce((a, b) => a + b, 0).toFixed(6)}) = ${predicted.toFixed(6)};`,
  );
  console.log(
    `       the trained w      = ${finalWeight.toFixed(6)}  (${relativeDifference(predicted, finalWeight) < 1e-4 ? "matched" : "MISMATCH"})`,
  );
  return trainer;
}

// ---- 4. SGD flavours ---------------------------------------------------------------------------------

function sgdFlavours() {
  section("4. SGD flavours: plain, momentum, Nesterov (and Adam) from the same start");
  const { trainLoader, valLoader, xTrain, yTrain } = regressionData();
  const flavours: [string, (params: Tensor[]) => optim.Optimizer][] = [
    ["SGD", (params) => new optim.SGD(params, { lr: 0.1 })],
    ["SGD + momentum 0.9", (params) => new optim.SGD(params, { lr: 0.1, momentum: 0.9 })],
    ["SGD + Nesterov 0.9", (params) => new optim.SGD(params, { lr: 0.1, momentum: 0.9, nesterov: true })],
    ["Adam", (params) => new optim.Adam(params, { lr: 0.1 })],
  ];
  const results = flavours.map(([name, make]) => {
    const model = linearModel();
    const optimizer = make(model.parameters());
    const trainer = new Trainer(model, new nn.MSELoss(), optimizer);
    trainer.setLoaders(trainLoader);
    trainer.captureParameters("linear"); // (b, w) at every forward pass: the path through parameter space
    trainer.captureGradients("linear");
    trainer.train(10, { progress: false });
    trainer.removeHooks();
    const valLoss = Trainer.loaderApply(valLoader, (x, y) => F.mseLoss(trainer.predict(x), y), "mean").item();
    return { name, trainer, optimizer, model, valLoss };
  });
  table(
    ["epoch", ...results.map((r) => r.name)],
    results[0].trainer.losses.map((_, e) => [e + 1, ...results.map((r) => r.trainer.losses[e].toFixed(5))]),
  );
  console.log("");
  table(
    ["optimizer", "b", "w", "validation MSE"],
    results.map((r) => {
      const sd = r.model.stateDict();
      return [r.name, sd["linear.bias"].item().toFixed(4), sd["linear.weight"].item().toFixed(4), r.valLoss.toFixed(5)];
    }),
  );
  console.log("(the true line is b = 1, w = 2)");

  subsection("the first steps of each path (b, w)");
  const steps = 12;
  table(
    ["step", ...results.map((r) => r.name)],
    Array.from({ length: steps }, (_, i) => [
      i,
      ...results.map((r) => {
        const b = flat(r.trainer.capturedParameters.linear.bias)[i];
        const w = flat(r.trainer.capturedParameters.linear.weight)[i];
        return `(${b.toFixed(3)}, ${w.toFixed(3)})`;
      }),
    ]),
  );
  console.log(
    "Plain SGD creeps along the gradient; momentum builds up speed and overshoots (b passes 1 and comes back);",
  );
  console.log("Nesterov looks one step ahead (it uses g + β·buffer) and overshoots less.");

  subsection("momentum is a running sum of gradients: rebuilt from the logged gradients");
  const rows: string[][] = [];
  for (const r of results.slice(1, 3)) {
    const g = flat(r.trainer.capturedGradients.linear.weight);
    let buffer = 0;
    g.forEach((gi, i) => (buffer = i === 0 ? gi : 0.9 * buffer + gi)); // b₁ = g₁, bₜ = β·bₜ₋₁ + gₜ
    const state = r.optimizer.stateDict().state as Record<number, { momentum_buffer: Tensor }>;
    const theirs = state[0].momentum_buffer.item();
    rows.push([
      r.name,
      buffer.toExponential(6),
      theirs.toExponential(6),
      relativeDifference(buffer, theirs) < 1e-4 ? "matched" : "MISMATCH",
    ]);
  }
  table(["optimizer", "β·b + g by hand", "state momentum_buffer", ""], rows);
  return { results, xTrain, yTrain };
}

// ---- 5. schedulers -----------------------------------------------------------------------------------

/** A throw-away optimizer, as the book's `dummy_optimizer`: schedulers only look at its param groups. */
function dummyOptimizer(lr = 0.01): optim.SGD {
  return new optim.SGD([randn([1], { requiresGrad: true })], { lr });
}

function schedulers(): void {
  section("5. Learning-rate schedulers");
  subsection("the book's loop: optimizer.step() first, then scheduler.step(), once per epoch");
  {
    const optimizer = dummyOptimizer();
    const scheduler = new lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.1 });
    for (let epoch = 0; epoch < 4; epoch++) {
      // ... the training loop of one epoch goes here ...
      console.log(
        `epoch ${epoch}: scheduler.getLastLr() = [${scheduler
          .getLastLr()
          .map((v) => num(v, 4))
          .join(", ")}]`,
      );
      optimizer.step();
      scheduler.step();
      optimizer.zeroGrad();
    }
  }

  subsection("epoch schedulers from lr = 0.01, epochs 0-11");
  // Each entry builds a scheduler and returns how to step it once per epoch.
  const epochSchedulers: [string, (o: optim.Optimizer) => () => void][] = [
    [
      "StepLR(2, 0.5)",
      (o) => {
        const s = new lrScheduler.StepLR(o, { stepSize: 2, gamma: 0.5 });
        return () => s.step();
      },
    ],
    [
      "MultiStepLR([4,8])",
      (o) => {
        const s = new lrScheduler.MultiStepLR(o, { milestones: [4, 8], gamma: 0.1 });
        return () => s.step();
      },
    ],
    [
      "ExponentialLR(0.8)",
      (o) => {
        const s = new lrScheduler.ExponentialLR(o, { gamma: 0.8 });
        return () => s.step();
      },
    ],
    [
      "CosineAnnealing(10)",
      (o) => {
        const s = new lrScheduler.CosineAnnealingLR(o, { TMax: 10 });
        return () => s.step();
      },
    ],
    // ReduceLROnPlateau needs the metric: here a validation loss stuck at 0.1
    [
      "Plateau(patience 4)",
      (o) => {
        const s = new lrScheduler.ReduceLROnPlateau(o, { patience: 4, factor: 0.1 });
        return () => s.step(0.1);
      },
    ],
  ];
  const columns = epochSchedulers.map(([, make]) => {
    const optimizer = dummyOptimizer();
    const step = make(optimizer);
    const rates: number[] = [];
    for (let epoch = 0; epoch < 12; epoch++) {
      rates.push(optimizer.paramGroups[0].lr);
      optimizer.step();
      step();
    }
    return rates;
  });
  table(
    ["epoch", ...epochSchedulers.map(([name]) => name)],
    Array.from({ length: 12 }, (_, e) => [e, ...columns.map((c) => num(c[e], 4))]),
  );
  console.log(
    "ReduceLROnPlateau is fed a validation loss stuck at 0.1: after 1 + patience epochs without improvement it",
  );
  console.log(
    "cuts the rate by `factor`, then starts counting again (epochs 6 and 11). CosineAnnealingLR reaches etaMin",
  );
  console.log("at TMax = 10 and then climbs back: it follows the cosine, it does not stop at the bottom.");

  subsection("CyclicLR, stepped after every mini-batch (baseLr 0.025, maxLr 0.1, stepSizeUp 2)");
  const modes = ["triangular", "triangular2", "exp_range"] as const;
  const cyclic = modes.map((mode) => {
    const optimizer = new optim.SGD([randn([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
    const scheduler = new lrScheduler.CyclicLR(optimizer, {
      baseLr: 0.025,
      maxLr: 0.1,
      stepSizeUp: 2,
      mode,
      gamma: 0.9,
    });
    const rates: number[] = [];
    for (let i = 0; i < 12; i++) {
      rates.push(scheduler.getLastLr()[0]);
      optimizer.step();
      scheduler.step();
    }
    return rates;
  });
  table(
    ["iteration", ...modes, ""],
    Array.from({ length: 12 }, (_, i) => [i, ...cyclic.map((c) => num(c[i], 4)), bar(cyclic[1][i], 0.1, 24)]),
  );
  console.log("triangular repeats the same cycle; triangular2 halves the amplitude every cycle (the bars);");
  console.log("exp_range shrinks it by gamma^iteration. CyclicLR also cycles SGD's momentum inversely (0.9 ↔ 0.8).");

  subsection("in training: Trainer steps epoch schedulers after validation, CyclicLR after every mini-batch");
  const { trainLoader, valLoader } = regressionData();
  const runs: [string, (o: optim.Optimizer) => optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau][] =
    [
      ["StepLR(stepSize 2, gamma 0.5)", (o) => new lrScheduler.StepLR(o, { stepSize: 2, gamma: 0.5 })],
      [
        "CyclicLR(triangular2, stepSizeUp = batches per epoch)",
        (o) =>
          new lrScheduler.CyclicLR(o, {
            baseLr: 0.01,
            maxLr: 0.1,
            stepSizeUp: trainLoader.length,
            mode: "triangular2",
          }),
      ],
    ];
  for (const [name, make] of runs) {
    const model = linearModel();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
    const trainer = new Trainer(model, new nn.MSELoss(), optimizer);
    trainer.setLoaders(trainLoader, valLoader);
    trainer.setLrScheduler(make(optimizer));
    trainer.train(4, { progress: false });
    console.log(
      `${name}: ${trainer.learningRates.length} scheduler steps in 4 epochs (${trainer.isBatchLrScheduler ? "per mini-batch" : "per epoch"})`,
    );
    console.log(`  learningRates: ${trainer.learningRates.map(([lr]) => num(lr, 4)).join(" ")}`);
    console.log(`  validation loss per epoch: ${trainer.valLosses.map((l) => l.toFixed(5)).join(" ")}`);
  }
}

export async function main(): Promise<void> {
  const data = standardization();
  const dropoutResults = dropout(data);
  const adamTrainer = adam();
  const flavours = sgdFlavours();
  schedulers();
  await writeFigures(dropoutResults, adamTrainer, flavours);
}

/**
 * The chapter's figures as SVG files, and all of them on one HTML page (gradstep's `plot` module
 * and `Report`), in a folder whose path is printed.
 */
async function writeFigures(
  dropoutResults: ReturnType<typeof dropout>,
  adamTrainer: Trainer,
  flavours: ReturnType<typeof sgdFlavours>,
): Promise<void> {
  section("Figures");
  const dir = outputDir("chapter6");
  const report = new Report("Chapter 6 in gradstep");
  const save = (file: string, svg: string, caption: string) => {
    writeFileSync(join(dir, file), svg);
    report.figure(svg, caption);
    console.log(`  ${file.padEnd(24)} ${caption}`);
  };
  report.section("Dropout");
  save(
    "dropout_outputs.svg",
    plot.histogram(
      dropoutResults.distributions.map(({ p, sums }) => ({ name: `p = ${p}`, values: sums })),
      { bins: 30, title: "sum(F.dropout(spacedPoints, p)) over 1000 draws", xLabel: "output", yLabel: "count" },
    ),
    "The same mean for every p, a wider spread the higher p",
  );
  for (const { p, trainer } of dropoutResults.runs) {
    save(
      `losses_p${p}.svg`,
      plot.plotLosses(trainer, { title: `CNN2 losses, dropout p = ${p}` }),
      `Training and validation loss with p = ${p}`,
    );
  }
  report.section("Adam");
  save(
    "adapted_gradients.svg",
    plot.plotAdaptedGradients(adamTrainer),
    "Gradients of the weight, their EWMAs and Adam's adapted gradients",
  );
  report.section("SGD flavours");
  save(
    "paths.svg",
    plot.plotPaths(
      { x: flavours.xTrain, y: flavours.yTrain },
      flavours.results.map((r) => plot.parameterPath(r.trainer, "linear", r.name)),
    ),
    "Each optimizer's path through (b, w) over the MSE surface",
  );
  report.section("Schedulers");
  save(
    "cyclic_lr.svg",
    plot.plotSchedule(
      () =>
        new lrScheduler.CyclicLR(new optim.SGD([randn([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 }), {
          baseLr: 0.025,
          maxLr: 0.1,
          stepSizeUp: 5,
          mode: "triangular2",
        }),
      40,
      { momentum: true, title: "CyclicLR (triangular2), stepSizeUp 5" },
    ),
    "CyclicLR's rate and momentum per mini-batch",
  );
  const page = await report.write(dir);
  console.log(`
written to ${dir} — open ${page} to see them all on one page`);
}
