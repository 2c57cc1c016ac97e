/**
 * Two training loops as a PyTorch user writes them, shared by the tensor-lifetime tests
 * (test/backend/lifetimes.test.ts) and their bench (lifetimes.bench.ts). Each runs `steps` steps,
 * plain or with every step in `tidy` (`scoped`), calls `onStep(i)` after step i, and returns the
 * losses followed by the final parameters, so that the two ways can be compared bit for bit.
 */
import { F, manualSeed, nn, noGrad, optim, randint, randn, tidy } from "../src/index.js";

/** The makemore loop of the LR-sweep notes: Embedding lookup, view, tanh layer, cross-entropy, p.grad = null. */
export function makemore(steps: number, scoped: boolean, onStep?: (i: number) => void): number[] {
  manualSeed(2147483647);
  const X = randint(0, 27, [2000, 3]);
  const Y = randint(0, 27, [2000]);
  const C = randn([27, 10]).requiresGrad_();
  const W1 = randn([30, 200]).mul(0.2).detach().requiresGrad_();
  const b1 = randn([200]).mul(0.01).detach().requiresGrad_();
  const W2 = randn([200, 27]).mul(0.01).detach().requiresGrad_();
  const b2 = randn([27]).mul(0).detach().requiresGrad_();
  const parameters = [C, W1, b1, W2, b2];
  const step = () => {
    const ix = randint(0, X.shape[0], [32]);
    const emb = C.index(X.index(ix));
    const h = emb.view([-1, 30]).matmul(W1).add(b1).tanh();
    const logits = h.matmul(W2).add(b2);
    const loss = F.crossEntropy(logits, Y.index(ix));
    for (const p of parameters) p.grad = null;
    loss.backward();
    noGrad(() => {
      for (const p of parameters) p.add_(p.grad!, -0.1);
    });
    return loss.item();
  };
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(scoped ? tidy(step, parameters) : step());
    onStep?.(i + 1);
  }
  return [...losses, ...parameters.flatMap((p) => Array.from(p.toArray()))];
}

/** A Sequential MLP with Adam and zeroGrad(), as in PyTorch's tutorials. */
export function mlp(steps: number, scoped: boolean, onStep?: (i: number) => void): number[] {
  manualSeed(7);
  const model = new nn.Sequential(new nn.Linear(20, 32), new nn.ReLU(), new nn.Linear(32, 3));
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = randn([256, 20]);
  const y = randint(0, 3, [256]);
  const step = (i: number) => {
    const start = (i * 16) % 256;
    const xb = x.narrow(0, start, 16);
    const yb = y.narrow(0, start, 16);
    optimizer.zeroGrad();
    const loss = lossFn.call(model.call(xb), yb);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(scoped ? tidy(() => step(i), model, optimizer) : step(i));
    onStep?.(i + 1);
  }
  return [...losses, ...model.parameters().flatMap((p) => Array.from(p.toArray()))];
}
