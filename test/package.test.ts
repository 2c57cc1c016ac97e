/**
 * The built package as another project sees it: `import { tensor, nn, optim } from "gradstep"`
 * resolves through package.json's `exports` to dist/ (built by `npm test` before vitest runs).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

it("is importable by name from another project, with type declarations", () => {
  expect(existsSync(join(root, "dist/index.js")), "dist/ is missing: run npm run build").toBe(true);
  expect(existsSync(join(root, "dist/index.d.ts"))).toBe(true);
  const project = mkdtempSync(join(tmpdir(), "gradstep-user-"));
  try {
    mkdirSync(join(project, "node_modules"));
    symlinkSync(root, join(project, "node_modules/gradstep"), "dir");
    writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(project, "main.js"),
      `import { tensor, nn, optim, F, getBackend } from "gradstep";
       const x = tensor([[1, 2]], { requiresGrad: true });
       const layer = new nn.Linear(2, 1);
       F.mseLoss(layer.call(x), tensor([[1]])).backward();
       console.log(JSON.stringify({ grad: x.grad.shape, optim: typeof optim.Optimizer, backend: getBackend() }));`,
    );
    const out = execFileSync(process.execPath, ["main.js"], { cwd: project, encoding: "utf8" });
    // importing is enough: the WebAssembly backend is the default where SIMD is supported (Node is)
    expect(JSON.parse(out)).toEqual({ grad: [1, 2], optim: "function", backend: "wasm" });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
