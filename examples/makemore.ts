/**
 * makemore, part 3 of Karpathy's lecture series: the character-level MLP with BatchNorm, trained
 * on real words and then *sampled* — the loop that turns the model into a word generator.
 *
 *     npm run example -- makemore
 *
 * The lecture, in PyTorch:
 *
 *     model = nn.Sequential(nn.Embedding(27, 10), nn.Flatten(),
 *                           nn.Linear(30, 200, bias=False), nn.BatchNorm1d(200), nn.Tanh(),
 *                           nn.Linear(200, 27))
 *     ...train with minibatches of 32, lr 0.1 then 0.01...
 *     model.eval()                                   # BatchNorm now uses its running mean/var
 *     g = torch.Generator().manual_seed(2147483647 + 10)
 *     for _ in range(20):
 *         out, context = [], [0] * block_size
 *         while True:
 *             probs = F.softmax(model(torch.tensor([context])), dim=1)
 *             ix = torch.multinomial(probs, num_samples=1, generator=g).item()
 *             context = context[1:] + [ix]
 *             out.append(ix)
 *             if ix == 0: break
 *         print(''.join(itos[i] for i in out))
 *
 * `multinomial` draws from PyTorch's generator in PyTorch's order, so a model with PyTorch's weights
 * samples PyTorch's words. Data: examples/data/words.txt (3,993 English words; licence beside it).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { F, Generator, manualSeed, multinomial, nn, noGrad, optim, randint, type Tensor, tensor, tidy } from "gradstep";
import { num, quickOr, section, table } from "./common.js";

export const description =
  "makemore part 3: an MLP with BatchNorm1d over real words, then sampling new words with multinomial";

const BLOCK_SIZE = 3;
const EMBEDDING = 10;
const HIDDEN = 200;
const BATCH = 32;

function readWords(): string[] {
  const candidates = [
    new URL("./data/words.txt", import.meta.url),
    new URL("../../examples/data/words.txt", import.meta.url),
  ];
  const found = candidates.map((url) => fileURLToPath(url)).find((path) => existsSync(path));
  if (found === undefined) throw new Error("examples/data/words.txt not found");
  return readFileSync(found, "utf8")
    .split("\n")
    .filter((w) => /^[a-z]+$/.test(w));
}

const stoi = (ch: string) => (ch === "." ? 0 : ch.charCodeAt(0) - 96);
const itos = (i: number) => (i === 0 ? "." : String.fromCharCode(96 + i));

/** Every (three letters of context, next letter) pair of the words; '.' pads the start and marks the end. */
function buildDataset(words: readonly string[]): { X: Tensor; Y: Tensor } {
  const contexts: number[][] = [];
  const targets: number[] = [];
  for (const word of words) {
    let context = new Array<number>(BLOCK_SIZE).fill(0);
    for (const ch of `${word}.`) {
      contexts.push(context);
      targets.push(stoi(ch));
      context = [...context.slice(1), stoi(ch)];
    }
  }
  return { X: tensor(contexts, { dtype: "int32" }), Y: tensor(targets, { dtype: "int32" }) };
}

/** Mean cross-entropy over a whole split, in eval mode (BatchNorm uses its running statistics). */
function splitLoss(model: nn.Module, X: Tensor, Y: Tensor): number {
  model.eval();
  const loss = tidy(() => noGrad(() => F.crossEntropy(model.call(X) as Tensor, Y).item()));
  model.train();
  return loss;
}

export function main(): void {
  const words = readWords();
  const shuffled = new Generator().manualSeed(42);
  const order = Array.from(shuffled.randperm(words.length));
  const n1 = Math.floor(0.8 * words.length);
  const train = buildDataset(order.slice(0, n1).map((i) => words[i]));
  const dev = buildDataset(order.slice(n1).map((i) => words[i]));
  section(`Data: ${words.length} words, ${train.X.shape[0]} training and ${dev.X.shape[0]} dev examples`);

  manualSeed(2147483647);
  const model = new nn.Sequential(
    new nn.Embedding(27, EMBEDDING),
    new nn.Flatten(),
    new nn.Linear(BLOCK_SIZE * EMBEDDING, HIDDEN, { bias: false }), // BatchNorm's bias makes this one redundant
    new nn.BatchNorm1d(HIDDEN),
    new nn.Tanh(),
    new nn.Linear(HIDDEN, 27),
  );
  noGrad(() => (model.at(-1) as nn.Linear).weight.mul_(0.1)); // a less confident last layer at the start
  console.log(String(model));
  console.log(`parameters: ${model.parameters().reduce((n, p) => n + p.numel(), 0)}`);

  const steps = quickOr(20000, 400);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  const g = new Generator().manualSeed(2147483647);
  const rows: string[][] = [];
  for (let i = 0; i < steps; i++) {
    optimizer.paramGroups[0].lr = i < steps / 2 ? 0.1 : 0.01; // step decay, as in the lecture
    const loss = tidy(() => {
      const ix = randint(0, train.X.shape[0], [BATCH], { generator: g });
      const l = F.crossEntropy(model.call(train.X.index(ix)) as Tensor, train.Y.index(ix));
      l.backward();
      optimizer.step();
      optimizer.zeroGrad();
      return l.item();
    });
    if (i % Math.floor(steps / 10) === 0 || i === steps - 1)
      rows.push([String(i), String(optimizer.paramGroups[0].lr), num(loss)]);
  }
  section("Training (minibatch loss)");
  table(["step", "lr", "loss"], rows);
  const bn = model.at(3) as nn.BatchNorm1d;
  console.log(
    `BatchNorm1d after ${bn.numBatchesTracked!.item()} batches: running mean of the first units ${bn.runningMean!.narrow(0, 0, 4)}`,
  );
  console.log(
    `whole-split loss (eval mode): train ${num(splitLoss(model, train.X, train.Y))}, dev ${num(splitLoss(model, dev.X, dev.Y))} (uniform guess: ${num(Math.log(27))})`,
  );

  section("Sampling from the model");
  model.eval();
  const sampler = new Generator().manualSeed(2147483647 + 10);
  for (let n = 0; n < 20; n++) {
    const out: string[] = [];
    let context = new Array<number>(BLOCK_SIZE).fill(0);
    for (;;) {
      const ix = tidy(() =>
        noGrad(() => {
          const probs = F.softmax(model.call(tensor([context], { dtype: "int32" })) as Tensor, 1);
          return multinomial(probs, 1, { generator: sampler }).item(); // the lecture draws without replacement
        }),
      );
      context = [...context.slice(1), ix];
      if (ix === 0 || out.length >= 30) break;
      out.push(itos(ix));
    }
    console.log(`sample ${String(n + 1).padStart(2)}: ${out.join("")}`);
  }
}
