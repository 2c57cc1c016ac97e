// Marks each compiled module of dist/ with the declaration file that types it:
//
//   // @ts-self-types="./tensor.d.ts"
//
// Node and browsers ignore the comment. Deno reads it: a package installed through a symlink
// (`npm install ../gradstep`, `npm link`, workspaces) resolves to a real path outside node_modules,
// where Deno treats dist/ as plain JavaScript modules and would type `export { type GradHook } from
// "./tensor.js"` from tensor.js itself (error TS2305). Run by `npm run build` after tsc.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist", import.meta.url));

for (const entry of readdirSync(dist, { recursive: true })) {
  const file = join(dist, entry);
  if (!file.endsWith(".js") || !existsSync(file.replace(/\.js$/, ".d.ts"))) continue;
  const directive = `// @ts-self-types="./${basename(file, ".js")}.d.ts"\n`;
  const code = readFileSync(file, "utf8");
  // a shebang (cli.js, the package's bin) must stay the first line, or Node rejects the file
  const shebang = code.startsWith("#!") ? code.slice(0, code.indexOf("\n") + 1) : "";
  if (code.startsWith(shebang + directive)) continue; // tsc skipped an unchanged file
  writeFileSync(file, shebang + directive + code.slice(shebang.length));
  // the source map's lines below the directive move down by one: an empty line there keeps every mapping in place
  const map = `${file}.map`;
  if (existsSync(map)) {
    const json = JSON.parse(readFileSync(map, "utf8"));
    const [first, ...rest] = json.mappings.split(";");
    json.mappings = shebang ? [first, "", ...rest].join(";") : `;${json.mappings}`;
    writeFileSync(map, JSON.stringify(json));
  }
}
