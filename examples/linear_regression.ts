/**
 * The book's simple linear regression (chapters 0-2 of *Deep Learning with PyTorch Step-by-Step*):
 * y = 1 + 2x + noise, 100 points, 80/20 split, fitted with mini-batch SGD and then with Adam from the
 * same starting weights, printing the losses of every epoch and the learned b and w.
 */
import { type Tensor, manualSeed, noGrad, nn, optim, rand, randn, randperm } from "gradstep";

export const description = "the book's simple linear regression, fitted with SGD and then Adam";

const trueB = 1;
const trueW = 2;
const N = 100;
const batchSize = 16;
const epochs = 50;

/** The book's synthetic data: x ~ U(0, 1), y = b + w·x + ε with ε ~ N(0, 0.1²), split 80/20 at random. */
function makeData() {
  manualSeed(42);
  const x = rand([N, 1]);
  const epsilon = randn([N, 1]).mul(0.1);
  const y = x.mul(trueW).add(trueB).add(epsilon);
  const shuffled = randperm(N);
  const train = shuffled.narrow(0, 0, 80);
  const val = shuffled.narrow(0, 80, 20);
  return { xTrain: x.index(train), yTrain: y.index(train), xVal: x.index(val), yVal: y.index(val) };
}

/** Trains a fresh Linear(1, 1) (same seed, same start) and prints the losses of every epoch. */
function fit(
  title: string,
  makeOptimizer: (params: Tensor[]) => optim.Optimizer,
  data: ReturnType<typeof makeData>,
): void {
  manualSeed(42);
  const model = new nn.Sequential(new nn.Linear(1, 1));
  const optimizer = makeOptimizer(model.parameters());
  const lossFn = new nn.MSELoss();
  const n = data.xTrain.shape[0];

  console.log(`\n${title}`);
  console.log(" epoch   train loss     val loss");
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    const order = randperm(n);
    const losses: number[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const batch = order.narrow(0, start, Math.min(batchSize, n - start));
      const loss = lossFn.call(model.call(data.xTrain.index(batch)), data.yTrain.index(batch)) as Tensor;
      loss.backward();
      optimizer.step();
      optimizer.zeroGrad();
      losses.push(loss.item());
    }
    model.eval();
    const valLoss = noGrad(() => (lossFn.call(model.call(data.xVal), data.yVal) as Tensor).item());
    const trainLoss = losses.reduce((a, b) => a + b, 0) / losses.length;
    console.log(
      `${String(epoch).padStart(6)}   ${trainLoss.toFixed(6).padStart(10)}   ${valLoss.toFixed(6).padStart(10)}`,
    );
  }
  const state = model.stateDict();
  const [b, w] = [state["0.bias"].item(), state["0.weight"].item()];
  console.log(`learned b = ${b.toFixed(4)}, w = ${w.toFixed(4)}   (true b = ${trueB}, w = ${trueW})`);
}

export function main(): void {
  const data = makeData();
  console.log(
    `Simple linear regression: y = ${trueB} + ${trueW}x + ε, ${N} points (80 train / 20 validation), mini-batches of ${batchSize}`,
  );
  fit("SGD (lr 0.1)", (params) => new optim.SGD(params, { lr: 0.1 }), data);
  fit("Adam (lr 0.1)", (params) => new optim.Adam(params, { lr: 0.1 }), data);
}
