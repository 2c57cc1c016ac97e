/**
 * Kernel benchmarks for the WebAssembly backend against the JS reference (tinybench, single thread):
 *
 * 1. conv2d at the book's CNN2 shapes (batch 16: 3x28x28 → 5x26x26 and 5x13x13 → 5x11x11, 3x3
 *    kernels): the forward and both backward computations, built from backend primitives exactly
 *    as src/ops/conv.ts builds them (im2col + matmul; Wᵀ·g + col2im; g·colsᵀ + batch sum).
 * 2. Memory bandwidth: a plain WebAssembly SIMD copy (v128 loads and stores) and memory.copy, at
 *    1M and 10M float32, in GB/s of traffic (bytes read + bytes written), with the fused optimizer
 *    updates beside them for comparison (addcmul reads 3 arrays and writes 1, lerp reads 2, writes 1).
 * 3. Per-op overhead: a 16-element float32 `a.add(b)` through the public tensor API, js and wasm.
 *    On wasm the ops run in batches of 1,000 inside a backend scope, so freeing is included.
 *
 * Run: npm run build && node dist-bench/bench/kernels.bench.js (or call main()).
 */
import { Bench, type Task } from "tinybench";
import type { Backend, Storage, Window2d } from "../src/backend/backend.js";
import { activeBackend } from "../src/backend/index.js";
import { JsBackend } from "../src/backend/js.js";
import { createWasmBackend, type WasmBackend } from "../src/backend/wasm/backend.js";
import { getBackend, setBackend, tensor } from "../src/index.js";

interface Timing {
  medianMs: number;
  bestMs: number;
}

function timingOf(task: Task): Timing {
  const result = task.result;
  if (result.state !== "completed") throw new Error(`benchmark ${task.name} did not complete (${result.state})`);
  return { medianMs: result.latency.p50, bestMs: result.latency.min };
}

async function time(name: string, fn: () => void, budgetMs = 800): Promise<Timing> {
  const bench = new Bench({ time: budgetMs, iterations: 5, warmupTime: 100 });
  bench.add(name, fn);
  const [task] = await bench.run();
  return timingOf(task);
}

const us = (ms: number) => (ms * 1000).toFixed(1);

// ---- conv2d at CNN2 shapes ------------------------------------------------------------------------

const CONV_LAYERS: { name: string; outChannels: number; window: Window2d }[] = [
  {
    name: "conv1 16x3x28x28 → 16x5x26x26",
    outChannels: 5,
    window: {
      batch: 16,
      channels: 3,
      height: 28,
      width: 28,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padH: 0,
      padW: 0,
      outH: 26,
      outW: 26,
    },
  },
  {
    name: "conv2 16x5x13x13 → 16x5x11x11",
    outChannels: 5,
    window: {
      batch: 16,
      channels: 5,
      height: 13,
      width: 13,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padH: 0,
      padW: 0,
      outH: 11,
      outW: 11,
    },
  },
];

function filled(backend: Backend, n: number, seed: number): Storage {
  return backend.fromArray(
    "float32",
    Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37)),
  );
}

/** The three conv2d computations of one layer on one backend, as src/ops/conv.ts calls them. */
function convWork(backend: Backend, outChannels: number, w: Window2d) {
  const patch = w.channels * w.kernelH * w.kernelW;
  const positions = w.outH * w.outW;
  const x = filled(backend, w.batch * w.channels * w.height * w.width, 1);
  const weight = filled(backend, outChannels * patch, 2);
  const g = filled(backend, w.batch * outChannels * positions, 3);
  const cols = backend.alloc("float32", w.batch * patch * positions);
  const y = backend.alloc("float32", w.batch * outChannels * positions);
  const gradCols = backend.alloc("float32", w.batch * patch * positions);
  const gradX = backend.alloc("float32", w.batch * w.channels * w.height * w.width);
  const perImage = backend.alloc("float32", w.batch * outChannels * patch);
  const gradW = backend.alloc("float32", outChannels * patch);
  backend.im2col(cols, x, w);
  return {
    forward: () => {
      backend.im2col(cols, x, w);
      backend.matmul(y, weight, cols, w.batch, outChannels, patch, positions, 0, patch * positions, false, false);
    },
    backwardInput: () => {
      backend.matmul(
        gradCols,
        weight,
        g,
        w.batch,
        patch,
        outChannels,
        positions,
        0,
        outChannels * positions,
        true,
        false,
      );
      backend.col2im(gradX, gradCols, w);
    },
    backwardWeight: () => {
      backend.matmul(
        perImage,
        g,
        cols,
        w.batch,
        outChannels,
        positions,
        patch,
        outChannels * positions,
        patch * positions,
        false,
        true,
      );
      backend.reduce("sum", gradW, perImage, 1, w.batch, outChannels * patch);
    },
  };
}

async function convTable(wasm: WasmBackend, js: JsBackend) {
  const rows = [];
  for (const layer of CONV_LAYERS) {
    const onWasm = convWork(wasm, layer.outChannels, layer.window);
    const onJs = convWork(js, layer.outChannels, layer.window);
    for (const part of ["forward", "backwardInput", "backwardWeight"] as const) {
      const w = await time(`wasm ${layer.name} ${part}`, onWasm[part]);
      const j = await time(`js ${layer.name} ${part}`, onJs[part]);
      rows.push({
        layer: layer.name,
        computation: {
          forward: "forward (im2col + W·cols)",
          backwardInput: "∂x (Wᵀ·g + col2im)",
          backwardWeight: "∂W (g·colsᵀ + Σ batch)",
        }[part],
        "wasm µs (median)": us(w.medianMs),
        "js µs (median)": us(j.medianMs),
        "js / wasm": (j.medianMs / w.medianMs).toFixed(1),
      });
    }
  }
  console.log("conv2d at the CNN2 shapes (batch 16, float32)");
  console.table(rows);
}

// ---- bandwidth ----------------------------------------------------------------------------------

async function bandwidthTable(wasm: WasmBackend) {
  const k = wasm.kernels;
  const rows = [];
  for (const n of [1_000_000, 10_000_000]) {
    const [a, b, c, out] = [filled(wasm, n, 1), filled(wasm, n, 2), filled(wasm, n, 3), wasm.alloc("float32", n)];
    const [pa, pout] = [wasm.pointerOf(a), wasm.pointerOf(out)];
    const bytes = 4 * n;
    const cases: [string, number, () => void][] = [
      ["SIMD copy (v128 loop)", 2 * bytes, () => k.copy_v128(pout, pa, bytes)],
      ["memory.copy", 2 * bytes, () => k.copy_bytes(pout, pa, bytes)],
      ["lerp (Adam's m update)", 3 * bytes, () => wasm.lerp(out, out, a, 0.1)],
      ["addcmul (Adam's v update)", 4 * bytes, () => wasm.addcmul(out, out, a, b, 0.001)],
      ["addcdiv (the parameter update)", 4 * bytes, () => wasm.addcdiv(out, out, b, c, -0.001)],
    ];
    for (const [what, traffic, fn] of cases) {
      const t = await time(`${what} ${n}`, fn, 600);
      rows.push({
        kernel: what,
        elements: n.toLocaleString("en"),
        "GB/s (median)": (traffic / (t.medianMs * 1e6)).toFixed(1),
        "GB/s (best)": (traffic / (t.bestMs * 1e6)).toFixed(1),
      });
    }
    for (const s of [a, b, c, out]) wasm.free(s);
  }
  console.log("memory bandwidth, float32 (traffic = bytes read + bytes written)");
  console.table(rows);
}

// ---- per-op overhead ----------------------------------------------------------------------------

async function overheadTable() {
  const before = getBackend();
  const rows = [];
  const batch = 1000;
  for (const name of ["js", "wasm"] as const) {
    await setBackend(name);
    const backend = activeBackend();
    const a = tensor(Array.from({ length: 16 }, (_, i) => i));
    const b = tensor(Array.from({ length: 16 }, (_, i) => 16 - i));
    const wasm = name === "wasm" ? (backend as WasmBackend) : null;
    const t = await time(`${name} add 16`, () => {
      wasm?.startScope();
      for (let i = 0; i < batch; i++) a.add(b);
      wasm?.endScope();
    });
    rows.push({
      backend: name,
      "µs per a.add(b), 16 float32 (median)": ((t.medianMs * 1000) / batch).toFixed(2),
      "(best)": ((t.bestMs * 1000) / batch).toFixed(2),
    });
  }
  await setBackend(before);
  console.log("per-op overhead through the public API");
  console.table(rows);
}

export async function main(): Promise<void> {
  const wasm = await createWasmBackend();
  const js = new JsBackend();
  await convTable(wasm, js);
  await bandwidthTable(wasm);
  await overheadTable();
}

/** Runs main() when this file is the program (node dist-bench/bench/….bench.js), not when imported. */
const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv;
const entry = argv?.[1]?.split(/[\\/]/).pop();
if (entry && import.meta.url.endsWith(`/${entry}`)) await main();
