#!/usr/bin/env node
/**
 * The `gradstep` command.
 *
 *   gradstep verify TRACE.pt --optimizer-only [--rtol R --atol A]
 *
 * replays a run recorded by python/gradstep_record.py through gradstep's optimizer of the same
 * class and hyper-parameters (the recorded gradients and rates in, the parameters out) and prints
 * the first step and tensor that departs, or how many steps agree. Exit status 0 when all agree,
 * 1 on a departure, 2 for a usage error.
 */
import { load } from "./io/serialization.js";
import { verify } from "./io/verify.js";

const USAGE = "usage: gradstep verify TRACE.pt --optimizer-only [--rtol R --atol A]";

export async function main(args: string[], print: (line: string) => void = console.log): Promise<number> {
  const [command, path, ...rest] = args;
  if (command !== "verify" || !path || path.startsWith("--")) {
    print(USAGE);
    return 2;
  }
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (flag === "--optimizer-only") flags.set(flag, true);
    else if (
      (flag === "--rtol" || flag === "--atol") &&
      rest[i + 1] !== undefined &&
      Number.isFinite(Number(rest[i + 1]))
    )
      flags.set(flag, rest[++i]);
    else {
      print(`gradstep verify: unknown or incomplete option '${flag}'\n${USAGE}`);
      return 2;
    }
  }
  if (!flags.has("--optimizer-only")) {
    print(
      "gradstep verify: from the command line only --optimizer-only is possible (a full replay needs your model: call verify() from JavaScript)",
    );
    return 2;
  }
  if (flags.has("--rtol") !== flags.has("--atol")) {
    print("gradstep verify: give both --rtol and --atol, or neither (PyTorch's defaults)");
    return 2;
  }
  const tolerance = flags.has("--rtol") ? { rtol: Number(flags.get("--rtol")), atol: Number(flags.get("--atol")) } : {};
  const result = verify(await load(path), tolerance);
  if (result.ok) {
    print(`ok: ${result.stepsChecked} optimizer steps of ${path} agree with gradstep`);
    return 0;
  }
  const d = result.firstDeparture!;
  print(`gradstep departs from ${path} at step ${d.step} (${d.what} ${d.name}):\n${d.message}`);
  return 1;
}

/** True when this file is the program (run directly or through npm's bin link), not imported. */
async function isProgram(): Promise<boolean> {
  if (typeof process === "undefined" || process.argv[1] === undefined) return false;
  const { realpathSync } = await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (await isProgram()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`gradstep: ${error.message}`);
      process.exit(2);
    },
  );
}
