/**
 * `npm run example -- <name>` runs one example; `npm run example` lists them.
 *
 * The examples import gradstep by its package name, as a user's project would; inside this
 * repository Node resolves "gradstep" to dist/ through package.json's "exports".
 * They run on gradstep's default backend (WebAssembly where the runtime has SIMD, else the JS
 * reference); `GRADSTEP_BACKEND=js` or `GRADSTEP_BACKEND=wasm` picks one.
 */
import { getBackend, setBackend, type BackendName } from "gradstep";

/** The examples, in reading order: file name (without .ts) → what it shows. */
const EXAMPLES = [
  "linear_regression",
  "chapter6",
  "lr_sweep",
  "makemore",
  "lecture_schedulers",
  "lambdalr_notebook",
] as const;

type ExampleModule = { description: string; main: () => void | Promise<void> };

async function load(name: string): Promise<ExampleModule> {
  return (await import(`./${name}.js`)) as ExampleModule;
}

const name = process.argv[2];
if (name === undefined || name === "--help" || name === "-h" || name === "--list") {
  console.log("Usage: npm run example -- <name>\n\nExamples:");
  for (const example of EXAMPLES) console.log(`  ${example.padEnd(20)} ${(await load(example)).description}`);
  console.log("\nSet GRADSTEP_EXAMPLE_QUICK=1 for shorter runs, GRADSTEP_BACKEND=js or wasm to choose the backend.");
} else if (!(EXAMPLES as readonly string[]).includes(name)) {
  console.error(`no example named "${name}"; the examples are: ${EXAMPLES.join(", ")}`);
  process.exitCode = 1;
} else {
  const backend = process.env.GRADSTEP_BACKEND;
  if (backend !== undefined && backend !== "") await setBackend(backend as BackendName);
  const example = await load(name);
  console.log(`gradstep example "${name}": ${example.description} (backend: ${getBackend()})`);
  const start = performance.now();
  await example.main();
  console.log(`\n(${name} finished in ${((performance.now() - start) / 1000).toFixed(1)} s)`);
}
