/// <reference types="node" />
/**
 * Reading and writing files, for `load`/`save` with a path and for checkpoints. Node's `fs` is
 * imported only when a file is actually read or written, so a browser bundle never needs it.
 *
 * Writes are atomic: the bytes go to a temporary file beside the target (`<path>.<random>.tmp`),
 * which is flushed to disk (fsync) and then renamed over the target. A crash mid-write leaves the
 * old file (or none), never half of a new one; the temporary file such a crash leaves behind is
 * removed by the next save to the same path (so one writer per path at a time).
 */
async function fs() {
  try {
    return await import("node:fs/promises");
  } catch {
    throw new Error(
      "reading and writing files needs Node.js or Deno (node:fs); in a browser, pass bytes (Uint8Array) instead of a path",
    );
  }
}

export async function readBytes(path: string): Promise<Uint8Array> {
  const { readFile } = await fs();
  return new Uint8Array(await readFile(path));
}

export async function readText(path: string): Promise<string> {
  const { readFile } = await fs();
  return readFile(path, "utf8");
}

export async function writeBytesAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const { open, rename, rm, readdir } = await fs();
  const { dirname, basename, join } = await import("node:path");
  const dir = dirname(path);
  const base = basename(path);
  // orphans of a save that was killed before its rename
  const orphan = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.[a-z0-9]+\\.tmp$`);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (orphan.test(name)) await rm(join(dir, name), { force: true });
  }
  const temporary = `${path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    const file = await open(temporary, "w");
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  // make the rename itself durable; directories cannot be opened for sync on every platform
  try {
    const handle = await open(dir, "r");
    await handle.sync().finally(() => handle.close());
  } catch {
    // best effort
  }
}

/** Creates `dir` (and its parents) if it does not exist. */
export async function ensureDir(dir: string): Promise<void> {
  const { mkdir } = await fs();
  await mkdir(dir, { recursive: true });
}
