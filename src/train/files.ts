/**
 * File access for checkpoints: the io module's helpers (atomic writes with fsync, orphaned temporary
 * files cleaned up, `fs` imported only when used), under the names the trainer uses.
 */
import { writeBytesAtomic } from "../io/files.js";

export { readText, readBytes, ensureDir } from "../io/files.js";

export async function writeTextAtomic(path: string, text: string): Promise<void> {
  await writeBytesAtomic(path, text);
}
