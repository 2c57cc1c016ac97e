/**
 * SGEMM throughput, single thread: C = A·B for square float32 matrices of 64–512, on the WebAssembly
 * backend's packed 4×8 SIMD kernel and on the JS reference's triple loop, through the backend
 * primitive (no tensor front end), in GFLOP/s counting 2·n³ flops per product.
 *
 * Each size is timed with tinybench; the table shows the median and the best sample (the best is
 * the figure that least reflects other processes on a shared machine), and the ratio of medians.
 * The transposed variants the front end uses for gradients (A·Bᵀ for linear layers, Aᵀ·B) are timed
 * at 256.
 *
 * Run: npm run build && node dist-bench/bench/matmul.bench.js (or call main()).
 */
import { Bench, type Task } from "tinybench";
import type { Backend } from "../src/backend/backend.js";
import { JsBackend } from "../src/backend/js.js";
import { createWasmBackend } from "../src/backend/wasm/backend.js";

const SIZES = [64, 128, 256, 384, 512];

interface Timing {
  medianMs: number;
  bestMs: number;
}

function timingOf(task: Task): Timing {
  const result = task.result;
  if (result.state !== "completed") throw new Error(`benchmark ${task.name} did not complete (${result.state})`);
  return { medianMs: result.latency.p50, bestMs: result.latency.min };
}

/** Times C = op(A)·op(B) for n×n float32 matrices on one backend. */
async function timeProduct(backend: Backend, n: number, transA: boolean, transB: boolean, budgetMs: number): Promise<Timing> {
  const values = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i) * 0.5);
  const a = backend.fromArray("float32", values);
  const b = backend.fromArray("float32", values.reverse());
  const c = backend.alloc("float32", n * n);
  const bench = new Bench({ time: budgetMs, iterations: 3, warmupTime: 50, warmupIterations: 1 });
  bench.add(`${backend.name} ${n}`, () => backend.matmul(c, a, b, 1, n, n, n, 0, 0, transA, transB));
  const [task] = await bench.run();
  for (const s of [a, b, c]) backend.free(s);
  return timingOf(task);
}

const gflops = (n: number, ms: number) => (2 * n ** 3) / (ms * 1e6);

export async function main(): Promise<void> {
  const wasm = await createWasmBackend();
  const js = new JsBackend();
  const rows = [];
  for (const n of SIZES) {
    const w = await timeProduct(wasm, n, false, false, 1500);
    const j = await timeProduct(js, n, false, false, n <= 128 ? 500 : 1500);
    rows.push({
      size: `${n}x${n}x${n}`,
      "wasm GFLOP/s (median)": gflops(n, w.medianMs).toFixed(1),
      "wasm GFLOP/s (best)": gflops(n, w.bestMs).toFixed(1),
      "js GFLOP/s (median)": gflops(n, j.medianMs).toFixed(2),
      "wasm / js": (j.medianMs / w.medianMs).toFixed(1),
    });
  }
  console.log("SGEMM, float32, single thread (C = A·B)");
  console.table(rows);
  const variants = [];
  for (const [label, transA, transB] of [["A·B", false, false], ["A·Bᵀ", false, true], ["Aᵀ·B", true, false]] as const) {
    const w = await timeProduct(wasm, 256, transA, transB, 1500);
    variants.push({ product: label, "wasm GFLOP/s (median)": gflops(256, w.medianMs).toFixed(1), "wasm GFLOP/s (best)": gflops(256, w.bestMs).toFixed(1) });
  }
  console.log("transposed operands at 256 (wasm)");
  console.table(variants);
}

/** Runs main() when this file is the program (node dist-bench/bench/….bench.js), not when imported. */
const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv;
const entry = argv?.[1]?.split(/[\\/]/).pop();
if (entry && import.meta.url.endsWith(`/${entry}`)) await main();
