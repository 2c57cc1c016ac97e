/**
 * Step capture (`capture(fn)`, src/capture.ts), measured: eager training steps against replays of
 * the same step captured once, on the tiny MLP 2-8-1 (SGD with momentum) and the book's CNN2
 * (batch 16, Adam), in one interleaved run.
 *
 * Columns, CPU time per step (process user + system), median and min over interleaved rounds:
 * * eager: the step as a training loop runs it (in `tidy`, as `Trainer` does); for CNN2 with the
 *   default Adam (the fused `adamStep` kernel), as a user who never captures would run it;
 * * eager capturable: the same step with Adam `{ capturable: true }` (bias corrections as tensor
 *   ops), the eager cost of making a step capturable;
 * * replay: `step()` of `capture(fn)` over the capturable step.
 * Ratios are eager ÷ replay. Before timing, the bench checks that replays leave parameters
 * bit-identical to the same steps run eagerly (new batches copied into the captured inputs).
 *
 * CNN2 trains as in the book: CrossEntropyLoss on class indices (their bounds check is a kernel,
 * replayed with the rest).
 *
 * Run: npm run bench -- capture
 */
import {
  capture,
  getBackend,
  manualSeed,
  models,
  nn,
  optim,
  randint,
  randn,
  setBackend,
  type Tensor,
  tidy,
} from "../src/index.js";

interface Workload {
  params: Tensor[];
  x: Tensor;
  y: Tensor;
  /** One step on the current x, y; returns the loss. */
  step: () => Tensor;
}

interface Model {
  name: string;
  /** The workload, with the optimizer capturable or not. */
  build: (capturable: boolean) => Workload;
  steps: number;
}

function workload(model: nn.Module, optimizer: optim.Optimizer, lossFn: nn.Module, x: Tensor, y: Tensor): Workload {
  return {
    params: [...model.parameters()],
    x,
    y,
    step: () =>
      tidy(
        () => {
          const loss = lossFn.call(model.call(x), y) as Tensor;
          loss.backward();
          optimizer.step();
          optimizer.zeroGrad();
          return loss;
        },
        model,
        optimizer,
      ),
  };
}

const MODELS: Model[] = [
  {
    name: "tiny MLP 2-8-1, batch 16, SGD momentum",
    steps: 2000,
    build: () => {
      const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      return workload(model, optimizer, new nn.MSELoss(), randn([16, 2]), randn([16, 1]));
    },
  },
  {
    name: "CNN2, batch 16, Adam",
    steps: 100,
    build: (capturable) => {
      const model = new models.CNN2(5);
      const optimizer = new optim.Adam(model.parameters(), { lr: 3e-4, capturable });
      return workload(model, optimizer, new nn.CrossEntropyLoss(), randn([16, 3, 28, 28]), randint(0, 3, [16]));
    },
  },
];

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const sameBits = (a: Tensor[], b: Tensor[]) =>
  a.every((p, i) => {
    const [u, v] = [p.toArray(), b[i].toArray()];
    return u.every((value, j) => Object.is(value, v[j]));
  });

/** Whether 10 replays with new batches copied in equal 10 eager steps on those batches, bit for bit. */
function replayIsIdentical(build: Model["build"]): boolean {
  manualSeed(3);
  const eager = build(true);
  const batches = Array.from({ length: 10 }, () => [randn(eager.x.shape), eager.y.clone()]);
  eager.step(); // warm-up
  manualSeed(3);
  const captured = build(true);
  for (const _ of batches) randn(captured.x.shape); // the same draws: the same weights
  captured.step();
  const step = capture(captured.step);
  eager.step(); // the step capture ran
  for (const [x, y] of batches) {
    for (const w of [eager, captured]) {
      w.x.copy_(x);
      w.y.copy_(y);
    }
    eager.step();
    step();
  }
  step.dispose();
  return sameBits(eager.params, captured.params);
}

export async function main(): Promise<void> {
  const previous = getBackend();
  const rows = [];
  for (const backend of ["wasm", "js"] as const) {
    await setBackend(backend);
    for (const { name, build, steps } of MODELS) {
      const identical = replayIsIdentical(build);
      manualSeed(4);
      const eager = build(false);
      const eagerCapturable = build(true);
      const replayed = build(true);
      // warm-up (the JIT, the allocator's free lists): the first hundred CNN2 steps run 2-3× slower
      const warm = (run: () => unknown) => {
        for (const start = performance.now(); performance.now() - start < 300;) run();
      };
      for (const w of [eager, eagerCapturable, replayed]) warm(w.step);
      const replay = capture(replayed.step);
      warm(replay);
      const n = backend === "js" && name.startsWith("CNN2") ? steps / 4 : steps;
      const times: Record<"eager" | "capturable" | "replay", number[]> = { eager: [], capturable: [], replay: [] };
      const time = (run: () => unknown) => {
        const t = cpuMs();
        for (let i = 0; i < n; i++) run();
        return (cpuMs() - t) / n;
      };
      for (let round = 0; round < 7; round++) {
        times.eager.push(time(eager.step));
        times.capturable.push(time(eagerCapturable.step));
        times.replay.push(time(replay));
      }
      replay.dispose();
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
      const [e, c, r] = [median(times.eager), median(times.capturable), median(times.replay)];
      const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
      rows.push({
        backend,
        model: name,
        eager: us(e),
        "eager capturable": us(c),
        replay: us(r),
        "eager ÷ replay (median)": `${(e / r).toFixed(2)}×`,
        "eager ÷ replay (min)": `${(Math.min(...times.eager) / Math.min(...times.replay)).toFixed(2)}×`,
        "capturable ÷ replay": `${(c / r).toFixed(2)}×`,
        "replay bit-identical": identical ? "yes" : "NO",
      });
    }
  }
  await setBackend(previous);
  console.log("capture(fn) (one thread, CPU time per training step, medians of 7 interleaved rounds)");
  console.table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
