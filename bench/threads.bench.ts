/**
 * Threads: the same workloads on one thread and on N (setNumThreads; N = the available cores, as
 * getNumThreads() defaults to, and at least 2), interleaved round by round so that both see the same load,
 * reported as the ratio one-thread time ÷ N-thread time (min and median over rounds of wall time).
 *
 * * SGEMM 256 and 512 through the public API (`a.matmul(b)` in a `tidy`), with a bit-for-bit
 *   comparison of the two results: the thread count must not change a single bit.
 * * Large binary ops and reductions through the public API (a 1M-element add, a [4096, 256] + [256]
 *   bias add, sums over dim 0 of [4096, 1024] and the last dim of [1024, 4096]), bit-compared too:
 *   memory-bound, so the ratio is what a second core's share of the memory bandwidth gives.
 * * CNN2 training step (batch 16, Adam) and the MLP 784-512-512-10 step (batch 256, Adam): matrix
 *   products, im2col/col2im, pooling, large element-wise ops, reductions and optimizer steps are
 *   split; small ops and the JS front end run on the main thread, so these ratios are below the
 *   SGEMM ones.
 * * The fused Adam step over 10M parameters (memory-bound: the ratio is what a second core's share
 *   of the memory bandwidth gives).
 *
 * The workers start before timing (`startThreads`), as they would have after the first large
 * product of a real run. On a machine shared with other work the second core is not always free:
 * read the ratios as lower bounds, with the machine's load average printed next to them.
 *
 * Run: npm run bench -- threads
 */
import { loadavg } from "node:os";
import { full, getNumThreads, optim, randn, setNumThreads, tidy, type Tensor } from "../src/index.js";
import { cnn2Step, mlp512Step } from "./workloads.js";
import { activeBackend } from "../src/backend/index.js";
import { WasmBackend } from "../src/backend/wasm/backend.js";
import { availableCores } from "../src/backend/wasm/pool.js";

const ROUNDS = 7;

function wall(f: () => void, reps: number): number {
  const start = performance.now();
  for (let i = 0; i < reps; i++) f();
  return (performance.now() - start) / reps;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Times `f` on 1 and on `threads` threads, alternating, ROUNDS rounds of `reps` calls each. */
function compare(f: () => void, reps: number, threads: number): { one: number[]; many: number[] } {
  const one: number[] = [];
  const many: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    setNumThreads(1);
    f();
    one.push(wall(f, reps));
    setNumThreads(threads);
    f();
    many.push(wall(f, reps));
  }
  return { one, many };
}

export async function main(): Promise<void> {
  const backend = activeBackend();
  const before = getNumThreads();
  const threads = Math.max(2, availableCores());
  if (!(backend instanceof WasmBackend) || backend.singleThreadReason() !== null) {
    console.log(
      `threads: skipped, the wasm backend runs on one thread here (${backend instanceof WasmBackend ? backend.singleThreadReason() : backend.name})`,
    );
    return;
  }
  setNumThreads(threads);
  await backend.startThreads();
  const rows = [];

  for (const n of [256, 512]) {
    const [a, b] = [randn([n, n]), randn([n, n])];
    const product = () => tidy(() => void a.matmul(b));
    setNumThreads(1);
    const single = new Uint32Array(new Float32Array(a.matmul(b).toArray()).buffer);
    setNumThreads(threads);
    const split = new Uint32Array(new Float32Array(a.matmul(b).toArray()).buffer);
    const identical = single.every((bits, i) => bits === split[i]);
    const { one, many } = compare(product, n <= 256 ? 20 : 4, threads);
    const gflops = (ms: number) => ((2 * n ** 3) / (ms * 1e6)).toFixed(1);
    rows.push({
      workload: `SGEMM ${n}`,
      "1 thread (ms, min)": Math.min(...one).toFixed(3),
      [`${threads} threads (ms, min)`]: Math.min(...many).toFixed(3),
      "ratio (min)": `${(Math.min(...one) / Math.min(...many)).toFixed(2)}×`,
      "ratio (median)": `${(median(one) / median(many)).toFixed(2)}×`,
      note: `${gflops(Math.min(...one))} → ${gflops(Math.min(...many))} GFLOP/s; bit-identical: ${identical ? "yes" : "NO"}`,
    });
  }

  // large element-wise ops and reductions: one result bit-compared, then timed
  const bitsOf = (t: Tensor) => new Uint32Array(new Float32Array(t.toArray()).buffer);
  const kernels: { name: string; reps: number; op: () => Tensor }[] = [];
  {
    const [x, y] = [randn([1 << 20]), randn([1 << 20])];
    kernels.push({ name: "add, 1M elements", reps: 40, op: () => x.add(y) });
    const [rows, bias] = [randn([4096, 256]), randn([256])];
    kernels.push({ name: "add [4096, 256] + [256]", reps: 40, op: () => rows.add(bias) });
    const tall = randn([4096, 1024]);
    kernels.push({ name: "sum dim 0 of [4096, 1024]", reps: 20, op: () => tall.sum(0) });
    const wide = randn([1024, 4096]);
    kernels.push({ name: "sum dim 1 of [1024, 4096]", reps: 20, op: () => wide.sum(1) });
  }
  for (const k of kernels) {
    setNumThreads(1);
    const single = bitsOf(k.op());
    setNumThreads(threads);
    const split = bitsOf(k.op());
    const identical = single.length === split.length && single.every((bits, i) => bits === split[i]);
    const { one, many } = compare(() => tidy(() => void k.op()), k.reps, threads);
    rows.push({
      workload: k.name,
      "1 thread (ms, min)": Math.min(...one).toFixed(3),
      [`${threads} threads (ms, min)`]: Math.min(...many).toFixed(3),
      "ratio (min)": `${(Math.min(...one) / Math.min(...many)).toFixed(2)}×`,
      "ratio (median)": `${(median(one) / median(many)).toFixed(2)}×`,
      note: `bit-identical: ${identical ? "yes" : "NO"}`,
    });
  }

  const workloads: { name: string; reps: number; setup: () => () => void }[] = [
    {
      name: "CNN2 step, batch 16 (Adam)",
      reps: 20,
      setup: cnn2Step,
    },
    {
      name: "MLP 784-512-512-10 step, batch 256 (Adam)",
      reps: 3,
      setup: mlp512Step,
    },
    {
      name: "Adam step, 10M parameters",
      reps: 3,
      setup: () => {
        const param = full([10_000_000], 0.5).requiresGrad_(true);
        param.grad = full([10_000_000], 0.001);
        const optimizer = new optim.Adam([param]);
        optimizer.step(); // the state, outside any scope
        return () => tidy(() => optimizer.step(), optimizer);
      },
    },
  ];
  for (const w of workloads) {
    const step = w.setup();
    // warm up on both thread counts (the JIT, the allocator's free lists): the first hundred CNN2
    // steps run 2-3× slower than the rest
    for (const n of [1, threads]) {
      setNumThreads(n);
      for (const start = performance.now(); performance.now() - start < 400;) step();
    }
    const { one, many } = compare(step, w.reps, threads);
    rows.push({
      workload: w.name,
      "1 thread (ms, min)": Math.min(...one).toFixed(3),
      [`${threads} threads (ms, min)`]: Math.min(...many).toFixed(3),
      "ratio (min)": `${(Math.min(...one) / Math.min(...many)).toFixed(2)}×`,
      "ratio (median)": `${(median(one) / median(many)).toFixed(2)}×`,
      note: "",
    });
  }
  setNumThreads(before); // as bench/run.ts set it for the other benches
  console.log(
    `Threads: 1 vs ${threads} (wall time over ${ROUNDS} interleaved rounds; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")})`,
  );
  console.table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
