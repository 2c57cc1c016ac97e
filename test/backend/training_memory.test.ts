/**
 * The book's CNN2 trained with Adam on the WebAssembly backend keeps a flat memory footprint when
 * each step runs in a backend scope (what a front-end `tidy(fn)` would do): after the first step has
 * created the optimizer state, every step frees all it allocated, and the allocator serves the next
 * step from its free lists. The heap after step CHECK equals the heap after the last step exactly.
 *
 * 10,000 steps (about 20 s), checked at step 1,000, as the issue asks; CNN2_STEPS=n runs n.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { activeBackend } from "../../src/backend/index.js";
import type { WasmBackend } from "../../src/backend/wasm/backend.js";
import { getBackend, manualSeed, models, nn, optim, randint, randn, setBackend } from "../../src/index.js";

const STEPS = Number(process.env.CNN2_STEPS ?? 10_000);
const CHECK = Math.min(1000, Math.floor(STEPS / 2));

let previous: ReturnType<typeof getBackend>;
beforeAll(async () => {
  previous = getBackend();
  await setBackend("wasm");
});
afterAll(async () => {
  await setBackend(previous);
});

it(`CNN2 + Adam for ${STEPS} scoped steps: the heap after step ${CHECK} equals the heap after step ${STEPS}`, () => {
  const backend = activeBackend() as WasmBackend;
  manualSeed(13);
  const model = new models.CNN2(5);
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-4 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = randn([16, 3, 28, 28]);
  const y = randint(0, 3, [16]);
  const step = () => {
    optimizer.zeroGrad();
    const loss = lossFn.call(model.call(x), y);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
  const first = step(); // creates Adam's state outside any scope: it must outlive the steps
  let heapAtCheck = 0;
  let last = first;
  for (let i = 2; i <= STEPS; i++) {
    backend.startScope();
    last = step();
    backend.endScope();
    if (i === CHECK) heapAtCheck = backend.memoryStats().heapBytes;
  }
  expect(backend.memoryStats().heapBytes).toBe(heapAtCheck);
  expect(Number.isFinite(last)).toBe(true);
  expect(last).toBeLessThan(first); // it did train (the same batch every step)
});
