/**
 * PNG decoding time, single thread, against Node's zlib on the same compressed bytes:
 * * "adversarial": a valid 3 MB PNG whose image data starts with ~107,000 empty dynamic-Huffman
 *   blocks with 15-bit codes (test/golden/png/adversarial.ts). An inflate that builds one-level
 *   tables took 17 s on it (PIL 0.18 s, Node's zlib 0.09 s on the machine of the report); with
 *   two-level tables the time is linear in the input, and the ratio to zlib is the figure to watch;
 * * "photo-like": a 256×256 RGB file written by PIL (test/golden/png/files/big_rgb_pil.png), an
 *   ordinary file, where inflate and the filters both matter;
 * * "fuzzed": the slowest and the median decode over 2,000 small corrupted files (bytes flipped in
 *   the golden samples), each of which must fail or decode quickly: the timing the decoder's tests
 *   used to assert, measured here instead.
 *
 * The gradstep column is `decodePng` (chunks, CRCs, inflate, filters, RGB); the zlib column is only
 * `zlib.inflateSync` of the image data, so the ratio slightly flatters zlib.
 *
 * Run: npm run bench -- png (or tsc -p bench/tsconfig.json && node dist-bench/bench/png.bench.js).
 */
import { readFileSync, readdirSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { Bench, type Task } from "tinybench";
import { decodePng } from "../src/data/png.js";
import { adversarialPng } from "../test/golden/png/adversarial.js";

const filesDir = new URL("../../test/golden/png/files/", import.meta.url);

function medianMs(task: Task): number {
  const result = task.result;
  if (result.state !== "completed") throw new Error(`benchmark ${task.name} did not complete (${result.state})`);
  return result.latency.p50;
}

/** The concatenated IDAT data of a well-formed PNG. */
function idatOf(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === "IDAT")
      parts.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

async function compare(name: string, bytes: Uint8Array, budgetMs: number) {
  const idat = idatOf(bytes);
  const bench = new Bench({ time: budgetMs, iterations: 3, warmupIterations: 1, warmupTime: 0 });
  bench.add(`${name} gradstep`, () => decodePng(bytes));
  bench.add(`${name} zlib`, () => inflateSync(idat));
  const [ours, zlib] = await bench.run();
  return {
    file: name,
    bytes: bytes.length,
    "gradstep ms (median)": medianMs(ours).toFixed(1),
    "zlib inflate ms (median)": medianMs(zlib).toFixed(1),
    "gradstep / zlib": (medianMs(ours) / medianMs(zlib)).toFixed(1),
  };
}

/** Decodes 2,000 corrupted copies of the small golden files; returns the slowest and median times. */
function fuzzedTimes(): { slowestMs: number; medianMs: number; decoded: number } {
  const files = readdirSync(filesDir).filter((f) => f.startsWith("enc_") || f.startsWith("pil_"));
  const samples = files.map((f) => new Uint8Array(readFileSync(new URL(f, filesDir)))).filter((b) => b.length < 20_000);
  let seed = 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const times: number[] = [];
  let decoded = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = samples[Math.floor(random() * samples.length)].slice();
    for (let k = 0; k < 3; k++) bytes[Math.floor(random() * bytes.length)] ^= 1 + Math.floor(random() * 255);
    const start = performance.now();
    try {
      decodePng(bytes, { onWarning: () => {} });
      decoded++;
    } catch {
      // a PngError: the expected outcome for most corruptions
    }
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { slowestMs: times[times.length - 1], medianMs: times[times.length >> 1], decoded };
}

export async function main(): Promise<void> {
  const adversarial = adversarialPng(3_000_000);
  const rows = [
    await compare("adversarial (3 MB, 15-bit empty blocks)", adversarial.bytes, 4000),
    await compare(
      "photo-like 256×256 RGB (PIL)",
      new Uint8Array(readFileSync(new URL("big_rgb_pil.png", filesDir))),
      1500,
    ),
  ];
  console.log("decodePng vs Node's zlib.inflateSync of the same image data");
  console.table(rows);
  const fuzz = fuzzedTimes();
  console.log(
    `fuzzed small files: 2000 decodes (${fuzz.decoded} gave an image), median ${fuzz.medianMs.toFixed(3)} ms, slowest ${fuzz.slowestMs.toFixed(1)} ms`,
  );
}

/** Runs main() when this file is the program (node dist-bench/bench/png.bench.js), not when imported. */
const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv;
const entry = argv?.[1]?.split(/[\\/]/).pop();
if (entry && import.meta.url.endsWith(`/${entry}`)) await main();
