/**
 * Every module of the package can be the first one imported.
 *
 * The modules import each other in circles (tensor.ts ↔ ops/, see the README's architecture
 * section). A circle is safe only while no module *uses* an import at its top level before the
 * other side of the circle has run: a `class X extends Y` or a constant computed from an import at
 * load time fails with "ReferenceError: Cannot access 'Y' before initialization" — but only when
 * the circle is entered from a particular module. Importing the package root exercises one entry
 * order; a user (or a bundler splitting chunks) may enter through any other. So each compiled
 * module of dist/ is imported first, in a fresh Node process of its own, and must load cleanly.
 *
 * dist/ is built by `npm test` before vitest runs; the module list comes from src/ so a stale file
 * left in dist/ by a deleted source is not tested.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** dist/ paths of every source module, e.g. "dist/ops/movement.js". */
function compiledModules(): string[] {
  return readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" })
    .filter((entry) => entry.endsWith(".ts") && !entry.endsWith(".d.ts"))
    .map((entry) => join("dist", entry.replace(/\.ts$/, ".js")))
    .sort();
}

/**
 * Imports `module` (relative to the repository, or absolute) in a new Node process; resolves to null when it loads, else the error.
 * `main.js` is the `npm start` program and runs when imported: `--help` makes it print its usage
 * and stop after every import has loaded.
 */
function importAlone(module: string): Promise<string | null> {
  const url = pathToFileURL(resolve(root, module)).href;
  const args = ["--input-type=module", "-e", `await import(${JSON.stringify(url)})`, "--", "--help"];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, timeout: 30_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve(null);
      const reason = stderr.split("\n").find((line) => /Error|error:/.test(line)) ?? error.message;
      resolve(`${module}: ${reason.trim()}`);
    });
  });
}

/** Runs `task` over `items`, at most `limit` at a time, keeping the input order in the results. */
async function inParallel<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

it("imports each compiled module first, in a process of its own, without error", async () => {
  const modules = compiledModules();
  const missing = modules.filter((module) => !existsSync(join(root, module)));
  expect(missing, "dist/ lacks these modules: run npm run build").toEqual([]);
  expect(modules.length).toBeGreaterThan(100);
  const failures = (await inParallel(modules, Math.max(2, availableParallelism()), importAlone)).filter(
    (failure) => failure !== null,
  );
  expect(failures).toEqual([]);
});

it("fails for a circle that only loads from one side (the check itself can fail)", async () => {
  // tensor.ts ↔ ops/ in miniature: sub.js extends a class of base.js, and base.js uses sub.js only
  // inside a function. Entering at sub.js is fine (base.js runs first); entering at base.js runs
  // sub.js first, whose `extends Base` meets Base before its definition.
  const dir = mkdtempSync(join(tmpdir(), "gradstep-imports-"));
  try {
    writeFileSync(
      join(dir, "base.js"),
      `import { Sub } from "./sub.js";\nexport class Base {}\nexport const make = () => new Sub();\n`,
    );
    writeFileSync(join(dir, "sub.js"), `import { Base } from "./base.js";\nexport class Sub extends Base {}\n`);
    expect(await importAlone(join(dir, "sub.js"))).toBe(null);
    expect(await importAlone(join(dir, "base.js"))).toMatch(/Cannot access 'Base' before initialization/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
