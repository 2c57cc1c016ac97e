/** `npm start`'s main job (dist/main.js, built by `npm test` first) runs and recovers b ≈ 1, w ≈ 2. */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("the linear-regression main job prints per-epoch losses and learns b and w", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const out = execFileSync(process.execPath, ["dist/main.js"], { cwd: root, encoding: "utf8" });
  const learned = [...out.matchAll(/learned b = (-?[\d.]+), w = (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  expect(learned.length).toBe(2); // SGD, then Adam
  for (const [b, w] of learned) {
    expect(Math.abs(b - 1)).toBeLessThan(0.15);
    expect(Math.abs(w - 2)).toBeLessThan(0.25);
  }
  const epochLines = out.split("\n").filter((line) => /^\s+\d+\s+[\d.]+\s+[\d.]+$/.test(line));
  expect(epochLines.length).toBe(100);
});
