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
import { wasmRelaxedSimdSupported } from "../src/backend/wasm/simd.js";

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
async function timeProduct(
  backend: Backend,
  n: number,
  transA: boolean,
  transB: boolean,
  budgetMs: number,
): Promise<Timing> {
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
  for (const [label, transA, transB] of [
    ["A·B", false, false],
    ["A·Bᵀ", false, true],
    ["Aᵀ·B", true, false],
  ] as const) {
    const w = await timeProduct(wasm, 256, transA, transB, 1500);
    variants.push({
      product: label,
      "wasm GFLOP/s (median)": gflops(256, w.medianMs).toFixed(1),
      "wasm GFLOP/s (best)": gflops(256, w.bestMs).toFixed(1),
    });
  }
  console.log("transposed operands at 256 (wasm)");
  console.table(variants);
  await compareRelaxed(wasm);
}

/**
 * The opt-in relaxed-SIMD build (f32x4.relaxed_madd) against the exact build, interleaved size by
 * size. Needs a runtime that validates relaxed SIMD: on Node 20 run
 * `node --experimental-wasm-relaxed-simd dist-bench/bench/run.js matmul`.
 */
async function compareRelaxed(exact: Backend): Promise<void> {
  if (!wasmRelaxedSimdSupported()) {
    console.log(
      "relaxed-SIMD build: not compared (this runtime does not validate relaxed SIMD; Node 20 needs --experimental-wasm-relaxed-simd)",
    );
    return;
  }
  const relaxed = await createWasmBackend({ relaxedSimd: true });
  const rows = [];
  for (const n of [128, 256, 512]) {
    const e = await timeProduct(exact, n, false, false, 1000);
    const r = await timeProduct(relaxed, n, false, false, 1000);
    const e2 = await timeProduct(exact, n, false, false, 1000);
    const exactBest = Math.min(e.bestMs, e2.bestMs);
    rows.push({
      size: `${n}x${n}x${n}`,
      "exact GFLOP/s (best)": gflops(n, exactBest).toFixed(1),
      "relaxed GFLOP/s (best)": gflops(n, r.bestMs).toFixed(1),
      "relaxed / exact (best)": (exactBest / r.bestMs).toFixed(2),
      "relaxed / exact (median)": (Math.min(e.medianMs, e2.medianMs) / r.medianMs).toFixed(2),
    });
  }
  console.log("SGEMM, relaxed-SIMD (FMA) build vs exact build, single thread");
  console.table(rows);
}

/** Runs main() when this file is the program (node dist-bench/bench/….bench.js), not when imported. */
const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv;
const entry = argv?.[1]?.split(/[\\/]/).pop();
if (entry && import.meta.url.endsWith(`/${entry}`)) await main();
