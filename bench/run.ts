/**
 * `npm run bench`: runs every `bench/*.bench.ts` module's `main()` in one process, so that the
 * ratios each prints (WASM vs reference, one size vs another) come from one run on one machine.
 * `npm run bench -- matmul` runs only the files whose name contains "matmul".
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setNumThreads } from "../src/index.js";

// the benches measure one thread (their tables and the comparison with PyTorch say so) unless
// BENCH_THREADS says otherwise; threads.bench.ts compares one thread with several itself
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
