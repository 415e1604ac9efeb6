/**
 * Review thumbnails: at most 320 px, JPEG, made by sharp from the object version under
 * review, cached on disk under a hash of bucket, key, ETag and variant (never a path built
 * from the key). The `blurred` variant is blurred before it leaves the server, so a flagged
 * image is not on the reviewer's screen until they ask for it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ReviewObjects } from './review-objects.js';

export type ThumbnailVariant = 'blurred' | 'clear';

const SIZE = 320;
/** Objects larger than this are not read for a thumbnail (Rekognition's 15 MB). */
const MAX_SOURCE_BYTES = 15 * 1024 * 1024;

export class Thumbnails {
  constructor(
    private readonly dir: string,
    private readonly objects: Pick<ReviewObjects, 'read'>,
  ) {}

  /**
   * The thumbnail of one object version, or undefined when that version is gone. An image
   * that cannot be decoded gets a plain grey card (the reviewer still sees the item).
   */
  async get(
    version: { bucket: string; key: string; etag: string; writeId: string },
    variant: ThumbnailVariant,
  ): Promise<Buffer | undefined> {
    const name = createHash('sha256')
      .update(`${version.bucket}\0${version.key}\0${version.etag}\0${variant}`)
      .digest('hex');
    const file = join(this.dir, `${name}.jpg`);
    try {
      return await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const source = await this.objects.read(version, MAX_SOURCE_BYTES);
    if (!source) return undefined;
    const thumbnail = await render(source, variant);
    await mkdir(this.dir, { recursive: true });
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(temporary, thumbnail);
    await rename(temporary, file);
    return thumbnail;
  }
}

async function render(source: Buffer, variant: ThumbnailVariant): Promise<Buffer> {
  try {
    let image = sharp(source, { failOn: 'error', limitInputPixels: 100_000_000 })
      .rotate()
      .resize(SIZE, SIZE, { fit: 'inside', withoutEnlargement: true });
    if (variant === 'blurred') image = image.blur(18);
    return await image.jpeg({ quality: 78 }).toBuffer();
  } catch {
    return greyCard();
  }
}

/** A plain grey image standing for an upload that cannot be decoded. */
function greyCard(): Promise<Buffer> {
  return sharp({
    create: { width: SIZE, height: 240, channels: 3, background: { r: 120, g: 120, b: 128 } },
  })
    .jpeg({ quality: 70 })
    .toBuffer();
}
