/**
 * `npm start` — the main job: chapter 6 of *Deep Learning with PyTorch Step-by-Step* end to end
 * (see src/pipeline.ts): standardize, find a learning rate, train CNN2 with SGD-Nesterov and
 * CyclicLR, report per-class accuracy, and write an HTML report with the figures.
 *
 *   npm start                                   the built-in synthetic Rock-Paper-Scissors set
 *   npm start -- --data rps/ --val rps-test-set/  the published PNGs (an ImageFolder each)
 *   npm start -- --help                         every option
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getBackend, setBackend, type BackendName } from "./backend/index.js";
import { runChapterPipeline, type PipelineOptions } from "./pipeline.js";

const HELP = `gradstep — chapter 6 pipeline: LR range test, CNN2 + SGD-Nesterov + CyclicLR, HTML report

usage: npm start -- [options]

  --data DIR          training images: a folder of class folders of PNG files (default: the
                      built-in synthetic Rock-Paper-Scissors set, 2,520 + 372 images of 3x28x28)
  --val DIR           validation images, same layout (required with --data)
  --epochs N          training epochs (default 10)
  --batch-size N      mini-batch size (default 16)
  --lr-iterations N   mini-batches in the LR range test (default 100)
  --dropout P         CNN2's dropout probability (default 0.5)
  --features N        CNN2's feature maps per convolution (default 5)
  --train-size N      synthetic training images (default 2520)
  --val-size N        synthetic validation images (default 372)
  --seed N            random seed (default 42)
  --backend NAME      "wasm" or "js" (default: wasm where WebAssembly SIMD is supported)
  --out DIR           where the HTML report goes (default: ${join(tmpdir(), "gradstep-report")})
  --figures DIR       also save each figure as an SVG file in DIR
  --no-progress       no progress bar
  --help              this text
`;

/** --name value pairs (and --flag / --no-flag booleans), with a clear error for anything else. */
function parseArgs(argv: string[]): PipelineOptions & { backend?: BackendName; help?: boolean } {
  const numbers: Record<string, keyof PipelineOptions> = {
    "--epochs": "epochs",
    "--batch-size": "batchSize",
    "--lr-iterations": "lrIterations",
    "--dropout": "dropout",
    "--features": "features",
    "--train-size": "trainSize",
    "--val-size": "valSize",
    "--seed": "seed",
  };
  const options: PipelineOptions & { backend?: BackendName; help?: boolean } = {
    out: join(tmpdir(), "gradstep-report"),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${arg} needs a value (see --help)`);
      return v;
    };
    if (arg === "--help" || arg === "-h") options.help = true;
    else if (arg === "--no-progress") options.progress = false;
    else if (arg === "--data") options.data = value();
    else if (arg === "--val") options.val = value();
    else if (arg === "--out") options.out = value();
    else if (arg === "--figures") options.figures = value();
    else if (arg === "--backend") {
      const name = value();
      if (name !== "js" && name !== "wasm") throw new Error(`--backend must be "js" or "wasm", got "${name}"`);
      options.backend = name;
    } else if (arg in numbers) {
      const text = value();
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`${arg} needs a number, got "${text}"`);
      (options as Record<string, unknown>)[numbers[arg]] = n;
    } else {
      throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(HELP);
    return;
  }
  if (options.backend) await setBackend(options.backend);
  console.log(`gradstep chapter 6 pipeline (backend: ${getBackend()})`);
  const started = Date.now();
  await runChapterPipeline(options);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await main();
