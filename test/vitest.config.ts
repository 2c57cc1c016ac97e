// Vitest settings for `npm test` (kept under test/ so the top level stays as designed).
// The JSON report is what .ci/run reads to print its one-line summary.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("..", import.meta.url)),
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ["default", ["json", { outputFile: ".vitest-results.json" }]],
  },
});
