#!/usr/bin/env node
// The Deno binary the runtime tests use, fetched on demand instead of a 92 MB dev dependency that
// every `npm install` would download: the same pinned build that the `deno` npm package installs,
// taken from the npm registry (`npm pack @deno/<platform>@VERSION`, integrity checked by npm) into
// node_modules/.cache/. Set DENO=/path/to/deno to use another binary.
//
//   node scripts/deno.mjs              prints the binary's path (downloading it the first time)
//   node scripts/deno.mjs run main.ts  runs it
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const DENO_VERSION = "2.9.5";

/** The npm packages that carry Deno's release binaries, by Node's `${platform}-${arch}`. */
const PACKAGES = {
  "linux-x64": "@deno/linux-x64-glibc",
  "linux-arm64": "@deno/linux-arm64-glibc",
  "darwin-x64": "@deno/darwin-x64",
  "darwin-arm64": "@deno/darwin-arm64",
  "win32-x64": "@deno/win32-x64",
  "win32-arm64": "@deno/win32-arm64",
};

const root = fileURLToPath(new URL("..", import.meta.url));

/** The path of a Deno binary, downloading the pinned version into node_modules/.cache/ if needed. */
export function denoPath() {
  if (process.env.DENO) return process.env.DENO;
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PACKAGES[platform];
  if (!pkg) throw new Error(`scripts/deno.mjs: no Deno build for ${platform}; install Deno and set DENO=/path/to/deno`);
  const cache = join(root, "node_modules/.cache/gradstep-deno");
  const dir = join(cache, `${DENO_VERSION}-${platform}`);
  const exe = join(dir, process.platform === "win32" ? "deno.exe" : "deno");
  if (existsSync(exe)) return exe;
  mkdirSync(cache, { recursive: true });
  // download and unpack beside the final folder, then rename: a concurrent or interrupted run
  // never sees half a binary
  const work = mkdtempSync(join(cache, "download-"));
  try {
    const shell = process.platform === "win32";
    const packed = JSON.parse(
      execFileSync("npm", ["pack", `${pkg}@${DENO_VERSION}`, "--json", "--pack-destination", work], {
        encoding: "utf8",
        shell,
      }),
    );
    execFileSync("tar", ["-xzf", join(work, packed[0].filename), "-C", work]);
    if (!existsSync(dir)) renameSync(join(work, "package"), dir);
  } catch (error) {
    throw new Error(
      `scripts/deno.mjs: could not fetch ${pkg}@${DENO_VERSION} from the npm registry (${error.message.split("\n")[0]}); install Deno and set DENO=/path/to/deno`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return exe;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const exe = denoPath();
  if (process.argv.length === 2) console.log(exe);
  else process.exit(spawnSync(exe, process.argv.slice(2), { stdio: "inherit" }).status ?? 1);
}
