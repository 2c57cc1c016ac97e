/**
 * Workers start inside a synchronous program. A training loop that never awaits never lets a
 * promise settle, so a pool whose workers were created after an `import()` would run every part on
 * the main thread for the whole run; the pool takes node:worker_threads from
 * process.getBuiltinModule where it exists and starts them at once. Also under
 * `node --input-type=module`, which the workers inherit (their code must run as a module too).
 * Runs the built package (dist/, built by `npm test` before vitest) in a child Node, as a user's
 * script would.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const dist = fileURLToPath(new URL("../../dist/", import.meta.url));

// never awaits: a 512×512 product 50 times right after setNumThreads(2), then how many parts the workers ran
const SCRIPT = `
import * as g from ${JSON.stringify(`${dist}index.js`)};
import { activeBackend } from ${JSON.stringify(`${dist}backend/index.js`)};
g.setNumThreads(2);
const a = g.randn([512, 512]);
for (let i = 0; i < 50; i++) g.tidy(() => a.matmul(a));
console.log(JSON.stringify({ workerParts: activeBackend().threadPool().workerParts() }));
`;

const hasBuiltins = typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === "function";

it.runIf(hasBuiltins)("a synchronous loop gets its workers, also under --input-type=module", () => {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", SCRIPT], {
    encoding: "utf8",
    timeout: 60_000,
  });
  const { workerParts } = JSON.parse(out.trim().split("\n").pop() ?? "{}") as { workerParts: number };
  expect(workerParts).toBeGreaterThan(0);
});
