import { buffer } from 'node:stream/consumers';
import type { OpenedObject } from './types.js';

/**
 * An opened object's bytes, all in memory: for callers that need the whole image (the
 * moderator, thumbnails) and have checked its size first.
 */
export async function readWhole(opened: OpenedObject): Promise<Buffer> {
  if (opened.object.size === 0) return Buffer.alloc(0);
  return buffer(opened.stream(0, opened.object.size - 1));
}
