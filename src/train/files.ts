/// <reference types="node" />
/**
 * File access for checkpoints. Node's `fs` is imported only when a file is actually read or
 * written, so importing gradstep in a browser never touches it.
 *
 * Writes are atomic: the text goes to a temporary file beside the target, which is then renamed
 * over it. A crash mid-write leaves the old file (or none), never half of a new one.
 */
async function fs() {
  try {
    return await import("node:fs/promises");
  } catch {
    throw new Error("reading and writing files needs Node.js or Deno (node:fs); in a browser, use the JSON form instead");
  }
}

export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const { writeFile, rename, rm } = await fs();
  const temporary = `${path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await writeFile(temporary, text, { encoding: "utf8", flush: true });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function readText(path: string): Promise<string> {
  const { readFile } = await fs();
  return readFile(path, "utf8");
}

/** Creates `dir` (and its parents) if it does not exist. */
export async function ensureDir(dir: string): Promise<void> {
  const { mkdir } = await fs();
  await mkdir(dir, { recursive: true });
}
