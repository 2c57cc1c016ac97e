/**
 * "Tensor lifetimes" (README): the loops a PyTorch user writes run on the WebAssembly backend with
 * no `tidy`, no `dispose` and no `await`, in bounded memory and with results bit-identical to the
 * same loop written with `tidy`; and every rule that frees a tensor a program can still reach throws
 * an error naming the rule and the fix.
 *
 * LOOP_STEPS=n makes the loops longer (the bench runs them for 20,000 steps).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DataLoader,
  F,
  TensorDataset,
  getBackend,
  manualSeed,
  memoryStats,
  nn,
  noGrad,
  optim,
  randint,
  randn,
  setBackend,
  tidy,
  type Tensor,
} from "../../src/index.js";
import { ImageFolder } from "../../src/data/image_folder.js";
import { ToTensor } from "../../src/data/transforms.js";
import { encodeTestPng, tempImageFolder } from "./lifetime_helpers.js";
import { makemore, mlp } from "../../bench/loops.js";

const STEPS = Number(process.env.LOOP_STEPS ?? 3000);
const CHECK = Math.floor(STEPS / 4);
/** How far the heap may move between the check step and the end (sweeps run every ≥ 16 MiB). */
const SLACK = 20 * 2 ** 20;

let previous: ReturnType<typeof getBackend>;
beforeAll(async () => {
  previous = getBackend();
  await setBackend("wasm");
});
afterAll(async () => {
  await setBackend(previous);
});

const heap = () => memoryStats()!.heapBytes;

/** `for (const [x, y] of loader)` over a DataLoader: the README's loop, with no tidy around the batch. */
function loaderLoop(
  epochs: number,
  dataset: TensorDataset | ImageFolder<Tensor, number>,
  inFeatures: number,
  onStep?: (i: number) => void,
  scoped = false,
): number[] {
  manualSeed(3);
  const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(inFeatures, 3));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const lossFn = new nn.CrossEntropyLoss();
  const loader = new DataLoader(dataset as TensorDataset, { batchSize: 8, shuffle: true });
  const losses: number[] = [];
  let i = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [x, y] of loader) {
      const step = () => {
        optimizer.zeroGrad();
        const loss = lossFn.call(model.call(x as Tensor), y as Tensor);
        loss.backward();
        optimizer.step();
        return loss.item();
      };
      losses.push(scoped ? tidy(step, model, optimizer) : step());
      onStep?.(++i);
    }
  }
  return losses;
}

describe("a PyTorch loop without tidy runs in bounded memory on wasm", () => {
  it(`the makemore loop (p.grad = null): heap after step ${STEPS} within ${SLACK >> 20} MiB of step ${CHECK}, results equal the tidy loop`, () => {
    let atCheck = 0;
    const plain = makemore(STEPS, false, (i) => i === CHECK && (atCheck = heap()));
    expect(heap() - atCheck).toBeLessThan(SLACK);
    expect(memoryStats()!.evictedBytes).toBeGreaterThan(0);
    const scoped = makemore(STEPS, true);
    expect(plain).toEqual(scoped);
  });

  it(`a Sequential MLP with Adam and zeroGrad(): bounded heap, results equal the tidy loop`, () => {
    let atCheck = 0;
    const plain = mlp(STEPS, false, (i) => i === CHECK && (atCheck = heap()));
    expect(heap() - atCheck).toBeLessThan(SLACK);
    expect(plain).toEqual(mlp(STEPS, true));
  });

  it("for (const [x, y] of loader) over a TensorDataset: bounded heap, results equal the tidy loop", () => {
    manualSeed(5);
    const dataset = new TensorDataset(randn([400, 3, 28, 28]), randint(0, 3, [400]));
    let atCheck = 0;
    const epochs = Math.max(4, Math.round(STEPS / 50));
    const losses = loaderLoop(epochs, dataset, 3 * 28 * 28, (i) => i === 50 && (atCheck = heap()));
    expect(heap() - atCheck).toBeLessThan(SLACK);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses).toEqual(loaderLoop(epochs, dataset, 3 * 28 * 28, undefined, true));
  });

  it("for (const [x, y] of loader) over an ImageFolder with ToTensor: bounded heap, results equal the tidy loop", () => {
    const root = tempImageFolder(["paper", "rock", "scissors"], 12, (i) => encodeTestPng(28, 28, i));
    const dataset = new ImageFolder(root, { transform: new ToTensor() });
    let atCheck = 0;
    const epochs = Math.max(20, Math.round(STEPS / 20));
    const losses = loaderLoop(epochs, dataset, 3 * 28 * 28, (i) => i === 20 && (atCheck = heap()));
    expect(heap() - atCheck).toBeLessThan(SLACK);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses).toEqual(loaderLoop(epochs, dataset, 3 * 28 * 28, undefined, true));
  });
});

describe("every rule that frees a reachable tensor says so", () => {
  const linear = () => {
    manualSeed(0);
    const w = randn([3, 2]).requiresGrad_();
    const x = randn([4, 3]);
    const loss = () => x.matmul(w).tanh().sum();
    return { w, loss };
  };

  it("a .grad that backward created is freed when .grad is replaced (clone() keeps it)", () => {
    const { w, loss } = linear();
    loss().backward();
    const old = w.grad!;
    const kept = w.grad!.clone();
    w.grad = null;
    expect(() => old.toArray()).toThrow(
      /freed \(it was a \.grad that backward created.*clone\(\) a gradient to keep it/,
    );
    expect(Array.from(kept.toArray()).every(Number.isFinite)).toBe(true);
  });

  it("zeroGrad() frees the gradients backward created, with the same message", () => {
    manualSeed(0);
    const model = new nn.Linear(3, 2);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    model
      .call(randn([4, 3]))
      .sum()
      .backward();
    const grad = model.weight.grad!;
    optimizer.zeroGrad();
    expect(() => grad.sum()).toThrow(/\.grad that backward created.*zeroGrad\(\)/);
  });

  it("a second backward through a released graph throws PyTorch's error; retainGraph keeps it", () => {
    const { w, loss } = linear();
    const l = loss();
    l.backward();
    const before = Array.from(w.grad!.toArray());
    expect(() => l.backward()).toThrow(/Trying to backward through the graph a second time.*retainGraph: true/);
    expect(Array.from(w.grad!.toArray())).toEqual(before); // nothing accumulated
    const l2 = loss();
    w.grad = null;
    l2.backward({ retainGraph: true });
    l2.backward();
    expect(Array.from(w.grad!.toArray())).toEqual(before.map((g) => 2 * g));
    expect(() => l2.backward()).toThrow(/second time/);
  });

  it("a composite op's intermediates are freed with its graph by backward(); retainGraph keeps them", () => {
    manualSeed(4);
    const logits = randn([5, 3]).requiresGrad_();
    const y = randint(0, 3, [5]);
    const loss = F.crossEntropy(logits, y);
    const inner = loss.gradFn!.inputs[0]; // reachable only through the graph
    const retained = F.crossEntropy(logits, y);
    const innerRetained = retained.gradFn!.inputs[0];
    loss.backward();
    expect(loss.item()).toBeGreaterThan(0); // the result itself stays
    expect(() => inner.toArray()).toThrow(
      /intermediate inside a composite op such as crossEntropy, freed when backward\(\) released the graph.*retainGraph/,
    );
    retained.backward({ retainGraph: true });
    expect(Array.from(innerRetained.toArray()).every(Number.isFinite)).toBe(true);
    // without a graph, nothing is left behind at all
    const live = memoryStats()!.liveBytes;
    noGrad(() => F.crossEntropy(logits, y)).dispose();
    expect(memoryStats()!.liveBytes).toBe(live);
  });

  it("backward() rejects unknown options", () => {
    const { loss } = linear();
    expect(() => loss().backward({ retain_graph: true } as never)).toThrow(/'retain_graph'.*'retainGraph'/);
  });

  it("a tensor freed by tidy names tidy and the fix", () => {
    let escaped: Tensor | null = null;
    tidy(() => {
      escaped = randn([3]);
      return 0;
    });
    expect(() => escaped!.toArray()).toThrow(
      /freed \(by the tidy\(\) that allocated it: return it from the function, or keep\(\) it\)/,
    );
  });

  it("tidy(async fn) is one clear error, before anything runs, and nothing crashes later", async () => {
    let ran = false;
    expect(() =>
      tidy((async () => {
        ran = true;
      }) as never),
    ).toThrow(/must be synchronous, got an async function/);
    expect(ran).toBe(false);
    // a synchronous function that returns a promise: the tensors it made are freed, and the promise's
    // own failure (it goes on to use them) is not an unhandled rejection
    const x = randn([2]);
    expect(() =>
      tidy(() =>
        Promise.resolve().then(() =>
          x
            .add(1)
            .add(randn([2]))
            .sum(),
        ),
      ),
    ).toThrow(/returned a Promise/);
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it("a tensor moved out by a sweep comes back, intact, when it is used again", () => {
    manualSeed(11);
    const old = randn([1000]);
    const expected = Array.from(old.toArray());
    const evicted = memoryStats()!.evictedBytes;
    // 40 MiB of unscoped tensors, used once: the sweeps move `old` out too
    for (let i = 0; i < 100; i++) randn([100_000]);
    expect(memoryStats()!.evictedBytes).toBeGreaterThan(evicted);
    expect(Array.from(old.add(0).toArray())).toEqual(expected);
  });
});
