/**
 * The LR-sweep notes (Karpathy's makemore, part 2): find a learning rate by sweeping it, then
 * train with step decay — on a character-level MLP that reads three letters and predicts the next.
 *
 *     npm run example -- lr_sweep
 *
 * The notes, in PyTorch:
 *
 *     lre = torch.linspace(-3, 0, 1000)      # exponents
 *     lrs = 10 ** lre                        # candidate rates, 0.001 … 1, spaced geometrically
 *     for i in range(1000):                  # ONE step per candidate, on one minibatch of 32
 *         ...forward, backward...
 *         for p in parameters: p.data += -lrs[i] * p.grad
 *         lri.append(lre[i]); lossi.append(loss.item())
 *     plt.plot(lri, lossi)                   # loss against the exponent: pick the bottom of the valley
 *
 *     lr = 0.1 if i < 100000 else 0.01       # then train with that rate, and decay it late
 *     lossi.append(loss.log10().item())
 *     plt.plot(torch.tensor(lossi).view(-1, 1000).mean(1))   # log10 loss averaged per 1000 steps
 *
 * Data: examples/data/words.txt, 3,993 English words from Debian's wamerican list (licence in
 * examples/data/words.LICENSE.txt), where the notes use 32,000 names. The plots of the notes are
 * written as SVG files (and one HTML page) to a folder whose path is printed.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DataLoader,
  F,
  Generator,
  linspace,
  lrRangeTest,
  nn,
  noGrad,
  optim,
  plot,
  randint,
  randn,
  randperm,
  Report,
  Tensor,
  tensor,
  TensorDataset,
  tidy,
  type LrRangeTestResult,
} from "gradstep";
import { bar, num, outputDir, quickOr, section, subsection, table } from "./common.js";

export const description =
  "Karpathy's makemore LR sweep (10 ** linspace(-3, 0, 1000)) and step decay on a character-level MLP over real words";

const BLOCK_SIZE = 3; // letters of context
const EMBEDDING = 10; // dimensions per letter
const HIDDEN = 100; // tanh units
const BATCH = 32;

/** examples/data/words.txt, from the source tree or from next to the compiled example. */
function readWords(): string[] {
  const candidates = [
    new URL("./data/words.txt", import.meta.url),
    new URL("../../examples/data/words.txt", import.meta.url),
  ];
  const found = candidates.map((url) => fileURLToPath(url)).find((path) => existsSync(path));
  if (found === undefined) throw new Error("examples/data/words.txt not found");
  return readFileSync(found, "utf8")
    .split("\n")
    .filter((w) => w.length > 0);
}

/** '.' (start/end of a word) is 0, 'a'…'z' are 1…26. */
const stoi = (ch: string) => (ch === "." ? 0 : ch.charCodeAt(0) - 96);
const itos = (i: number) => (i === 0 ? "." : String.fromCharCode(96 + i));

/**
 * Every (context, next letter) pair of the words: "emma" gives ... → e, ..e → m, .em → m,
 * emm → a, mma → . (the end).
 */
function buildDataset(words: readonly string[]): { X: Tensor; Y: Tensor } {
  const contexts: number[][] = [];
  const targets: number[] = [];
  for (const word of words) {
    let context = new Array<number>(BLOCK_SIZE).fill(0);
    for (const ch of word + ".") {
      const ix = stoi(ch);
      contexts.push(context);
      targets.push(ix);
      context = [...context.slice(1), ix];
    }
  }
  return { X: tensor(contexts, { dtype: "int32" }), Y: tensor(targets, { dtype: "int32" }) };
}

/** The notes' parameters, drawn from N(0, 1) exactly as written there (no init scaling yet: that is part 3). */
function initParameters(g: Generator): Tensor[] {
  const C = randn([27, EMBEDDING], { generator: g });
  const W1 = randn([BLOCK_SIZE * EMBEDDING, HIDDEN], { generator: g });
  const b1 = randn([HIDDEN], { generator: g });
  const W2 = randn([HIDDEN, 27], { generator: g });
  const b2 = randn([27], { generator: g });
  const parameters = [C, W1, b1, W2, b2];
  for (const p of parameters) p.requiresGrad_(true);
  return parameters;
}

/** logits = tanh(C[X].view(-1, 30) @ W1 + b1) @ W2 + b2 */
function forward([C, W1, b1, W2, b2]: Tensor[], X: Tensor): Tensor {
  const emb = C.index(X); // [N, 3, 10]: each letter's row of C
  const h = emb
    .view(-1, BLOCK_SIZE * EMBEDDING)
    .matmul(W1)
    .add(b1)
    .tanh(); // [N, 100]
  return h.matmul(W2).add(b2); // [N, 27]
}

/**
 * One minibatch step of plain gradient descent, p ← p − lr · ∂loss/∂p; returns the minibatch loss.
 *
 * `tidy` frees every tensor the step creates, except the parameters, once it returns. On the JS
 * backend that changes nothing (the garbage collector frees typed arrays); on the WebAssembly
 * backend (the default where available), whose memory the collector cannot see, it keeps a long
 * synchronous loop like this one from piling up dead tensors. The notes clear the gradients before
 * `backward()`; here they are cleared right after the update instead — the same computation, but
 * the gradients then never outlive the `tidy` that made them, so they are freed with it.
 */
function trainStep(parameters: Tensor[], X: Tensor, Y: Tensor, lr: number, g: Generator): number {
  return tidy(() => {
    const ix = randint(0, X.shape[0], [BATCH], { dtype: "int32", generator: g }); // 32 random rows
    const loss = F.crossEntropy(forward(parameters, X.index(ix)), Y.index(ix));
    loss.backward();
    noGrad(() => {
      for (const p of parameters) p.add_(p.grad!, -lr); // p.data += -lr * p.grad
    });
    for (const p of parameters) p.grad = null; // p.grad = None
    return loss.item();
  }, parameters);
}

function splitLoss(parameters: Tensor[], X: Tensor, Y: Tensor): number {
  return tidy(() => noGrad(() => F.crossEntropy(forward(parameters, X), Y).item()));
}

/** Draws an index from a probability vector (torch.multinomial with one sample). */
function sampleIndex(probs: ArrayLike<number>, g: Generator): number {
  const u = new Float64Array(1);
  g.uniform(u);
  let cumulative = 0;
  for (let i = 0; i < probs.length; i++) {
    cumulative += probs[i];
    if (u[0] < cumulative) return i;
  }
  return probs.length - 1;
}

/** The same network as an nn.Module, for gradstep's packaged range test. */
class CharMLP extends nn.Module {
  C = new nn.Embedding(27, EMBEDDING);
  hidden = new nn.Linear(BLOCK_SIZE * EMBEDDING, HIDDEN);
  out = new nn.Linear(HIDDEN, 27);
  override forward(x: Tensor): Tensor {
    return this.out.call(this.hidden.call(this.C.call(x).view(-1, BLOCK_SIZE * EMBEDDING)).tanh()) as Tensor;
  }
}

export async function main(): Promise<void> {
  // ---- data ----------------------------------------------------------------------------------
  const words = readWords();
  const order = Array.from(randperm(words.length, { generator: new Generator().manualSeed(42) }).toArray());
  const shuffled = order.map((i) => words[i]); // random.shuffle(words) with a fixed seed
  const n1 = Math.floor(0.8 * shuffled.length);
  const n2 = Math.floor(0.9 * shuffled.length);
  const train = buildDataset(shuffled.slice(0, n1));
  const dev = buildDataset(shuffled.slice(n1, n2));

  section("Data: three letters of context → the next letter");
  console.log(`${words.length} words (e.g. ${shuffled.slice(0, 6).join(", ")}), split 80/10/10 into train/dev/test`);
  console.log(
    `training examples X ${JSON.stringify(train.X.shape)} (int32 letter indices), Y ${JSON.stringify(train.Y.shape)}; dev X ${JSON.stringify(dev.X.shape)}`,
  );
  const firstWord = shuffled[0];
  const firstRows = buildDataset([firstWord]);
  const xs = firstRows.X.tolist() as number[][];
  const ys = firstRows.Y.tolist() as number[];
  console.log(
    `"${firstWord}" becomes: ${xs.map((ctx, i) => `${ctx.map(itos).join("")} → ${itos(ys[i])}`).join(",  ")}`,
  );
  const g = new Generator().manualSeed(2147483647);
  console.log(
    `parameters: C [27, ${EMBEDDING}], W1 [${BLOCK_SIZE * EMBEDDING}, ${HIDDEN}], b1 [${HIDDEN}], W2 [${HIDDEN}, 27], b2 [27]: ${initParameters(new Generator().manualSeed(0)).reduce((n, p) => n + p.numel(), 0)} numbers`,
  );

  // ---- the sweep -----------------------------------------------------------------------------
  section("1. The sweep: lre = linspace(-3, 0, 1000), lrs = 10 ** lre, one minibatch step per candidate");
  const sweepSteps = quickOr(1000, 300);
  const lre = linspace(-3, 0, sweepSteps);
  const lrs = tensor(10).pow(lre); // 10 ** lre, element-wise
  const lreValues = Array.from(lre.toArray());
  const lrValues = Array.from(lrs.toArray());
  let parameters = initParameters(g);
  const sweepLosses: number[] = [];
  for (let i = 0; i < sweepSteps; i++) sweepLosses.push(trainStep(parameters, train.X, train.Y, lrValues[i], g));

  // The notes plot all 1000 points; here they are averaged in 20 bins of the exponent.
  const bins = 20;
  const perBin = sweepSteps / bins;
  const rows: string[][] = [];
  const binMeans: number[] = [];
  for (let b = 0; b < bins; b++) {
    const losses = sweepLosses.slice(Math.round(b * perBin), Math.round((b + 1) * perBin));
    binMeans.push(losses.reduce((s, v) => s + v, 0) / losses.length);
  }
  const worst = Math.max(...binMeans.filter(Number.isFinite));
  const bestBin = binMeans.indexOf(Math.min(...binMeans));
  for (let b = 0; b < bins; b++) {
    const from = lreValues[Math.round(b * perBin)];
    const to = lreValues[Math.round((b + 1) * perBin) - 1];
    rows.push([
      `${from.toFixed(2)} … ${to.toFixed(2)}`,
      `${num(10 ** from, 4)} … ${num(10 ** to, 4)}`,
      binMeans[b].toFixed(3),
      bar(binMeans[b], worst, 30) + (b === bestBin ? "  ← lowest" : ""),
    ]);
  }
  table(["exponent lre", "rate 10**lre", "mean loss", ""], rows);
  const bestExponent =
    (lreValues[Math.round(bestBin * perBin)] + lreValues[Math.round((bestBin + 1) * perBin) - 1]) / 2;
  console.log(`\nWhile the rate is tiny the loss barely moves; it then falls fast, bottoms out (lowest here around`);
  console.log(
    `lre ≈ ${bestExponent.toFixed(2)}, lr ≈ ${num(10 ** bestExponent, 3)}) and turns noisy and climbs once the steps overshoot. Read it with care:`,
  );
  console.log(`the sweep keeps training the same net, so the left end is also "not trained yet". The notes pick a`);
  console.log(`round rate inside the fast-falling stretch, safely left of the upturn: lr = 0.1.`);

  // ---- training with step decay --------------------------------------------------------------
  const steps = quickOr(6000, 2000);
  const decayAt = quickOr(4000, 1000);
  section(`2. Training: ${steps} steps, lr = 0.1 if i < ${decayAt} else 0.01, log10 loss averaged per 1000 steps`);
  parameters = initParameters(g); // start again from fresh random parameters, as the notes do
  const lossi: number[] = [];
  for (let i = 0; i < steps; i++) {
    const lr = i < decayAt ? 0.1 : 0.01; // step decay: a 10x smaller rate for the last stretch
    lossi.push(Math.log10(trainStep(parameters, train.X, train.Y, lr, g))); // loss.log10().item()
  }
  // torch.tensor(lossi).view(-1, 1000).mean(1): one row per 1000 steps, averaged along the row
  const averaged = Array.from(tensor(lossi).view(-1, 1000).mean(1).toArray());
  const top = Math.max(...averaged);
  table(
    ["steps", "lr", "mean log10 loss", "= loss", ""],
    averaged.map((v, k) => [
      `${k * 1000}–${(k + 1) * 1000 - 1}`,
      k * 1000 < decayAt ? "0.1" : "0.01",
      v.toFixed(4),
      (10 ** v).toFixed(3),
      bar(v, top, 30),
    ]),
  );
  const trainLoss = splitLoss(parameters, train.X, train.Y);
  const devLoss = splitLoss(parameters, dev.X, dev.Y);
  console.log(`\nwhole-split loss after training: train ${trainLoss.toFixed(4)}, dev ${devLoss.toFixed(4)}`);
  console.log(
    `(a uniform guess over 27 letters scores ln 27 = ${Math.log(27).toFixed(4)}). After the decay the loss keeps falling`,
  );
  console.log(
    "with ten times smaller steps, which settle into the valley the big steps kept bouncing across (over the",
  );
  console.log("notes' 200,000 steps the drop at the decay is plain to see; over a few thousand it is modest).");
  console.log(
    "In gradstep's vocabulary the same schedule is optim.SGD + lrScheduler.MultiStepLR({ milestones: [N], gamma: 0.1 })",
  );
  console.log("stepped once per minibatch.");

  subsection("sampling from the model");
  const sampler = new Generator().manualSeed(2147483647 + 10);
  const samples: string[] = [];
  for (let s = 0; s < 10; s++) {
    let context = new Array<number>(BLOCK_SIZE).fill(0);
    let word = "";
    for (let k = 0; k < 20; k++) {
      const probs = tidy(() =>
        noGrad(() => F.softmax(forward(parameters, tensor([context], { dtype: "int32" })), 1).toArray()),
      );
      const ix = sampleIndex(probs, sampler);
      if (ix === 0) break;
      word += itos(ix);
      context = [...context.slice(1), ix];
    }
    samples.push(word);
  }
  console.log(samples.join(", "));

  // ---- the same idea, packaged -----------------------------------------------------------------
  section("3. The same idea packaged: gradstep's lrRangeTest (the book's LR finder)");
  console.log("lrRangeTest raises the rate geometrically after every minibatch and smooths the loss with an EWMA;");
  console.log("it restores the model and optimizer afterwards and suggests the rate where the loss falls fastest.");
  const model = new CharMLP();
  const loader = new DataLoader(new TensorDataset(train.X, train.Y), {
    batchSize: BATCH,
    shuffle: true,
    generator: new Generator().manualSeed(42),
  });
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3 });
  const result = lrRangeTest({
    model,
    lossFn: F.crossEntropy,
    optimizer,
    loader,
    endLr: 10,
    numIter: quickOr(300, 100),
  });
  const marks = [0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((f) =>
    Math.min(result.lr.length - 1, Math.round(f * (result.lr.length - 1))),
  );
  table(
    ["iteration", "lr", "smoothed loss"],
    marks.map((i) => [i, num(result.lr[i], 4), result.loss[i].toFixed(3)]),
  );
  const steepest = result.suggestions.steepest;
  const valley = result.suggestions.valley;
  console.log(
    `suggestions: steepest descent at lr ${steepest ? num(steepest.lr, 3) : "-"}, valley rule at lr ${valley ? num(valley.lr, 3) : "-"}`,
  );
  console.log(
    "(the network here starts from PyTorch's default initialisation rather than the notes' raw randn, so its",
  );
  console.log("loss starts near ln 27 instead of ~17; the suggested rates land close to the notes' choice of 0.1)");

  await writeFigures(lreValues, sweepLosses, averaged, result);
}

/** The notes' plots as SVG files and one HTML page (gradstep's `plot` module and `Report`). */
async function writeFigures(
  lre: number[],
  sweepLosses: number[],
  averaged: number[],
  rangeTest: LrRangeTestResult,
): Promise<void> {
  section("Figures");
  const dir = outputDir("lr_sweep");
  const report = new Report("The LR sweep of makemore, in gradstep");
  const save = (file: string, svg: string, caption: string) => {
    writeFileSync(join(dir, file), svg);
    report.figure(svg, caption);
    console.log(`  ${file.padEnd(20)} ${caption}`);
  };
  save(
    "sweep.svg",
    plot.lineChart([{ name: "loss", x: lre, y: sweepLosses }], {
      title: "plt.plot(lri, lossi)",
      xLabel: "exponent lre (lr = 10 ** lre)",
      yLabel: "minibatch loss",
    }),
    "Loss of each sweep step against the exponent of its learning rate",
  );
  save(
    "training.svg",
    plot.lineChart(
      [{ name: "mean log10 loss", x: averaged.map((_, k) => (k + 1) * 1000), y: averaged, markers: true }],
      {
        title: "torch.tensor(lossi).view(-1, 1000).mean(1)",
        xLabel: "step",
        yLabel: "log10 loss",
      },
    ),
    "log10 of the training loss, averaged per 1000 steps",
  );
  save(
    "lr_finder.svg",
    plot.plotLrFinder(rangeTest, { allSuggestions: true }),
    "gradstep's lrRangeTest on the same network, with its suggestions",
  );
  const page = await report.write(dir);
  console.log(`\nwritten to ${dir} — open ${page} to see them all on one page`);
}
