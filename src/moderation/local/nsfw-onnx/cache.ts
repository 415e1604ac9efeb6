/**
 * A file made once and then reused: written under a unique temporary name, flushed, then
 * renamed into place. rename() is atomic, so readers see either no file or a whole one — a
 * crash mid-write leaves only a stray `.tmp`, never a truncated model.
 *
 * Concurrent callers in one thread share one production. Callers in other threads or
 * processes may each produce the file (the converter is deterministic, so their bytes are
 * identical) and the last rename wins; a cross-process lock would save that one-off work but
 * would need stale-lock recovery after a crash, which is worse than converting twice.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

const inFlight = new Map<string, Promise<string>>();

/**
 * Resolves to `path` once it exists, calling `produce` for its bytes only if it does not.
 *
 * @example
 * const file = await cachedFile('/data/models/m.onnx', () => convert());
 */
export function cachedFile(path: string, produce: () => Promise<Uint8Array>): Promise<string> {
  let pending = inFlight.get(path);
  if (!pending) {
    pending = ensureFile(path, produce).finally(() => inFlight.delete(path));
    inFlight.set(path, pending);
  }
  return pending;
}

async function ensureFile(path: string, produce: () => Promise<Uint8Array>): Promise<string> {
  if (await exists(path)) return path;
  await mkdir(dirname(path), { recursive: true });
  await writeAtomically(path, await produce());
  return path;
}

/** Writes `bytes` to `path` through a temporary file in the same directory (same filesystem). */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}-${threadId}-${randomUUID()}.tmp`;
  try {
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(bytes);
      // Flushed before the rename: otherwise a power cut could leave the new name on an
      // empty file.
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
