/**
 * The built package runs unchanged under Deno (the `deno` dev dependency brings its binary): the
 * WebAssembly backend is the default there too, the .wasm bytes come from the package itself (no
 * fs, no fetch), and files (ImageFolder, checkpoints) work through Deno's node:fs.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const deno = join(root, "node_modules/.bin/deno");

it("runs under Deno: tensors, autograd, CNN2, tidy, ImageFolder and checkpoints", () => {
  expect(existsSync(deno), "the deno dev dependency is missing: run npm install").toBe(true);
  const dir = mkdtempSync(join(tmpdir(), "gradstep-deno-"));
  try {
    for (const [cls, file] of [["a", "big_rgb_pil.png"], ["b", "ancillary.png"]]) {
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
    const output = execFileSync(deno, ["run", "--allow-read", "--allow-write", "--no-prompt", join(dir, "main.mjs")], { encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
    expect(JSON.parse(output.trim().split("\n").pop()!)).toEqual({ backend: "wasm", grad: [1, 2], out: [2, 3], classes: ["a", "b"], image: [3, 28, 28] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
