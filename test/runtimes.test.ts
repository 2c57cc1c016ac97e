/**
 * The built package runs unchanged under Deno: the WebAssembly backend is the default there too, the
 * .wasm bytes come from the package itself (no fs, no fetch), files (ImageFolder, checkpoints) work
 * through Deno's node:fs, and `deno check` types a script that imports the package as an installed
 * dependency. The pinned Deno binary comes from scripts/deno.mjs (fetched from the npm registry on
 * first use; DENO=/path/to/deno overrides). Browsers are tested in test/browser/.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, it } from "vitest";
// @ts-expect-error: a plain ES module without declarations
import { denoPath } from "../scripts/deno.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const denoEnv = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
let deno = "";

beforeAll(() => {
  deno = denoPath(); // throws, naming the fix, when it cannot be fetched
});

it("runs under Deno: tensors, autograd, CNN2, tidy, ImageFolder and checkpoints", () => {
  const dir = mkdtempSync(join(tmpdir(), "gradstep-deno-"));
  try {
    for (const [cls, file] of [
      ["a", "big_rgb_pil.png"],
      ["b", "ancillary.png"],
    ]) {
      mkdirSync(join(dir, "images", cls), { recursive: true });
      cpSync(join(root, "test/golden/png/files", file), join(dir, "images", cls, "1.png"));
    }
    writeFileSync(
      join(dir, "main.mjs"),
      `import { tensor, nn, optim, F, getBackend, models, zeros, tidy, Trainer, ImageFolder, Compose, Resize, ToTensor } from ${JSON.stringify(join(root, "dist/index.js"))};
       const x = tensor([[1, 2]], { requiresGrad: true });
       F.mseLoss(new nn.Linear(2, 1).call(x), tensor([[1]])).backward();
       const cnn = new models.CNN2(5);
       const out = tidy(() => cnn.call(zeros([2, 3, 28, 28])).shape);
       const folder = await ImageFolder.create(${JSON.stringify(join(dir, "images"))}, { transform: new Compose([new Resize([28, 28]), new ToTensor()]) });
       const model = new nn.Linear(2, 1);
       const trainer = new Trainer(model, new nn.MSELoss(), new optim.SGD(model.parameters(), { lr: 0.1 }));
       await trainer.saveCheckpoint(${JSON.stringify(join(dir, "checkpoint.json"))});
       await trainer.loadCheckpoint(${JSON.stringify(join(dir, "checkpoint.json"))});
       console.log(JSON.stringify({ backend: getBackend(), grad: x.grad.shape, out, classes: folder.classes, image: folder.getItem(1)[0].shape }));`,
    );
    const output = execFileSync(deno, ["run", "--allow-read", "--allow-write", "--no-prompt", join(dir, "main.mjs")], {
      encoding: "utf8",
      env: denoEnv,
    });
    expect(JSON.parse(output.trim().split("\n").pop()!)).toEqual({
      backend: "wasm",
      grad: [1, 2],
      out: [2, 3],
      classes: ["a", "b"],
      image: [3, 28, 28],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("type-checks under Deno as an installed dependency, symlinked like `npm install ../gradstep`", () => {
  const project = mkdtempSync(join(tmpdir(), "gradstep-deno-check-"));
  try {
    mkdirSync(join(project, "node_modules"));
    symlinkSync(root, join(project, "node_modules/gradstep"), "dir");
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ type: "module", dependencies: { gradstep: `file:${root}` } }),
    );
    writeFileSync(
      join(project, "main.ts"),
      `import { tensor, nn, optim, plot, type Tensor, type BackendName, type TensorOptions } from "gradstep";
       const options: TensorOptions = { requiresGrad: true };
       const x: Tensor = tensor([[1, 2]], options);
       const backend: BackendName = "js";
       const optimizer = new optim.Adam(new nn.Linear(2, 1).parameters(), { lr: 0.1 });
       const svg: string = plot.lineChart([{ name: "loss", y: [3, 2, 1] }]);
       console.log(x.shape, backend, optimizer.paramGroups.length, svg.length);`,
    );
    // a type error makes deno exit non-zero: execFileSync throws with the report
    execFileSync(deno, ["check", "main.ts"], { cwd: project, encoding: "utf8", env: denoEnv, stdio: "pipe" });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
