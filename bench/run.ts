/**
 * `npm run bench`: runs every `bench/*.bench.ts` module's `main()` in one process, so that the
 * ratios each prints (WASM vs reference, one size vs another) come from one run on one machine.
 * `npm run bench -- matmul` runs only the files whose name contains "matmul".
 *
 * Node 18-20 validate WebAssembly relaxed SIMD only with `--experimental-wasm-relaxed-simd`; there
 * this script re-runs itself once with that flag (and says so), so that the benches that compare
 * the relaxed-SIMD (FMA) build can run it. The flag only lets the runtime accept relaxed-SIMD
 * instructions: the exact builds are the same code either way. BENCH_NO_FLAG=1 runs without it.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { wasmRelaxedSimdSupported } from "../src/backend/index.js";
import { setNumThreads } from "../src/index.js";

const FLAG = "--experimental-wasm-relaxed-simd";
const major = Number(process.versions.node.split(".")[0]);
if (!wasmRelaxedSimdSupported() && major <= 20 && !process.execArgv.includes(FLAG) && !process.env.BENCH_NO_FLAG) {
  console.log(`node ${process.version} validates relaxed SIMD only with ${FLAG}: running the benches with it`);
  const child = spawnSync(process.execPath, [...process.execArgv, FLAG, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(child.status ?? 1);
}

// the benches measure one thread (their tables say so) unless BENCH_THREADS says otherwise;
// threads.bench.ts and compare.bench.ts compare one thread with several themselves
setNumThreads(Number(process.env.BENCH_THREADS ?? 1));

const here = fileURLToPath(new URL(".", import.meta.url));
const filter = process.argv[2] ?? "";
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.js") && f.includes(filter))
  .sort();
if (files.length === 0) console.log(`no bench files match "${filter}"`);
for (const file of files) {
  console.log(`\n=== ${file.replace(/\.js$/, ".ts")} ===`);
  const module = (await import(new URL(file, import.meta.url).href)) as { main?: () => Promise<void> | void };
  if (typeof module.main !== "function") throw new Error(`${file} has no exported main()`);
  await module.main();
}
