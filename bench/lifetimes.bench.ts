/**
 * Tensor lifetimes on the WebAssembly backend: the makemore loop (p.grad = null idiom) and a
 * Sequential MLP with Adam + zeroGrad(), each run for STEPS steps plainly (no tidy, no dispose, no
 * await) and with every step in `tidy`, alternating, in one process. Prints ms per step, the heap
 * growth between step STEPS/20 and the end, the bytes the sweeps moved out, and the ratio
 * tidied time ÷ plain time (≥ 0.8 is the goal: the plain loop at least 0.8× the speed of the tidy one).
 *
 * Run: npm run bench -- lifetimes      (LOOP_STEPS=n to change the 20,000 steps)
 */
import { getBackend, memoryStats, setBackend } from "../src/index.js";
import { makemore, mlp } from "./loops.js";

const STEPS = Number(process.env.LOOP_STEPS ?? 20_000);
const CHECK = Math.floor(STEPS / 20);
const MiB = 2 ** 20;

interface Run {
  msPerStep: number;
  growthMiB: number;
}

function measure(loop: typeof makemore, scoped: boolean): Run {
  let atCheck = 0;
  const start = performance.now();
  loop(STEPS, scoped, (i) => {
    if (i === CHECK) atCheck = memoryStats()!.heapBytes;
  });
  const msPerStep = (performance.now() - start) / STEPS;
  return { msPerStep, growthMiB: (memoryStats()!.heapBytes - atCheck) / MiB };
}

export async function main(): Promise<void> {
  const previous = getBackend();
  await setBackend("wasm");
  console.log(`${STEPS} steps each; heap growth is from step ${CHECK} to the end; ratio = tidy time ÷ plain time`);
  console.log(
    "loop       plain ms/step  tidy ms/step  ratio  plain heap growth  tidy heap growth  moved out by sweeps",
  );
  for (const [name, loop] of [
    ["makemore", makemore],
    ["mlp-adam", mlp],
  ] as const) {
    const evictedBefore = memoryStats()!.evictedBytes;
    // alternate plain and tidy runs, keep the fastest of three of each, so that machine noise hits both alike
    const plain: Run[] = [];
    const tidied: Run[] = [];
    for (let round = 0; round < 3; round++) {
      plain.push(measure(loop, false));
      tidied.push(measure(loop, true));
    }
    const best = (runs: Run[]) => runs.reduce((a, b) => (a.msPerStep <= b.msPerStep ? a : b));
    const [p, t] = [best(plain), best(tidied)];
    const evicted = (memoryStats()!.evictedBytes - evictedBefore) / MiB;
    console.log(
      `${name.padEnd(10)} ${p.msPerStep.toFixed(3).padStart(13)} ${t.msPerStep.toFixed(3).padStart(13)} ${(t.msPerStep / p.msPerStep).toFixed(2).padStart(6)}` +
        ` ${`${p.growthMiB.toFixed(1)} MiB`.padStart(18)} ${`${t.growthMiB.toFixed(1)} MiB`.padStart(17)} ${`${evicted.toFixed(0)} MiB`.padStart(20)}`,
    );
  }
  await setBackend(previous);
}
