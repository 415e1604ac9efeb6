/**
 * Encryption at rest (SSE-S3, `AES256`): object bytes are stored AES-256-CTR encrypted
 * under one data key kept in the data directory (`keys/sse-s3.key`, mode 0600, made on first
 * start). CTR keeps ranged reads cheap — any byte is decrypted from its block's counter —
 * and the ETag (MD5) and checksums are computed on the plaintext as before. Each blob file
 * has its own counter block, derived from its random id; inline bytes carry a random one in
 * front of the ciphertext. Node's `crypto` (OpenSSL) does the cipher work.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  type Cipher,
  type Decipher,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const CIPHER = 'aes-256-ctr';
const BLOCK = 16;
/** The key file inside the data directory. */
export const SSE_KEY_FILE = join('keys', 'sse-s3.key');

export class SseKey {
  private constructor(private readonly key: Buffer) {}

  /**
   * Loads the data directory's key, making one on first start. `expectedCheck` is the
   * `check` value stored with the data encrypted so far: a key that does not match it (a
   * lost or swapped key file) is refused rather than used to misread every object.
   *
   * @throws Error naming the key file, when it is malformed or not the data's key.
   */
  static async load(dataDir: string, expectedCheck?: string): Promise<SseKey> {
    const file = join(dataDir, SSE_KEY_FILE);
    let key: SseKey | undefined;
    try {
      const bytes = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
      if (bytes.length !== 32)
        throw new Error(
          `${file}: expected 32 bytes of base64 (an AES-256 key), got ${bytes.length}`,
        );
      key = new SseKey(bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (key === undefined && expectedCheck !== undefined)
      throw new Error(
        `${file} is missing, and this data directory's objects are encrypted with it: restore it from your backup (Vigil will not make a new one, which could not read them)`,
      );
    if (key === undefined) {
      key = new SseKey(randomBytes(32));
      await mkdir(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
      // 'wx': two processes starting at once cannot both make a key.
      await writeFile(file, `${key.key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    }
    if (expectedCheck !== undefined && key.check !== expectedCheck)
      throw new Error(
        `${file} is not the key this data directory's objects were encrypted with: restore the right one from your backup`,
      );
    return key;
  }

  /** A value that tells keys apart without revealing them (stored in the database). */
  get check(): string {
    return createHmac('sha256', this.key).update('vigil-sse-key-check').digest('hex');
  }

  /** Encrypts a blob file's bytes as they stream in. */
  encryptBlob(blobId: string): Cipher {
    return createCipheriv(CIPHER, this.key, counterBlock(this.blobNonce(blobId), 0));
  }

  /**
   * Decrypts a blob file's bytes read from `alignedStart` (a multiple of 16); the caller
   * drops the `start - alignedStart` bytes before the one it wanted.
   */
  decryptBlob(blobId: string, alignedStart: number): Decipher {
    return createDecipheriv(
      CIPHER,
      this.key,
      counterBlock(this.blobNonce(blobId), alignedStart / BLOCK),
    );
  }

  /** Inline bytes: a random nonce, then the ciphertext. */
  sealInline(plain: Buffer): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv(CIPHER, this.key, counterBlock(nonce, 0));
    return Buffer.concat([nonce, cipher.update(plain), cipher.final()]);
  }

  openInline(sealed: Buffer): Buffer {
    const decipher = createDecipheriv(CIPHER, this.key, counterBlock(sealed.subarray(0, 12), 0));
    return Buffer.concat([decipher.update(sealed.subarray(12)), decipher.final()]);
  }

  /** 96 bits per blob from its id: ids are random UUIDs, so nonces do not repeat. */
  /**
   * Seals a small secret (an access key's secret) for a database column: AES-256-GCM under a
   * key derived from the data key, so the column alone reveals nothing and a changed byte is
   * detected. `context` binds the sealed value to its row (the access key id).
   */
  sealSecret(plain: string, context: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.secretKey(), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** Opens what `sealSecret` sealed with the same context; throws when it was altered. */
  openSecret(sealed: Buffer, context: string): string {
    const decipher = createDecipheriv('aes-256-gcm', this.secretKey(), sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  }

  private secretKey(): Buffer {
    return createHmac('sha256', this.key).update('vigil-secret-sealing-key').digest();
  }

  private blobNonce(blobId: string): Buffer {
    return createHmac('sha256', this.key).update(`blob:${blobId}`).digest().subarray(0, 12);
  }
}

/** Where a read from `start` must begin for CTR: the start of its block. */
export function alignedStart(start: number): number {
  return start - (start % BLOCK);
}

/**
 * The 128-bit counter block: a 96-bit nonce and a 32-bit block counter, so one blob holds at
 * most 2^32 blocks (64 GiB; S3's largest single PUT or part is 5 GiB).
 */
function counterBlock(nonce: Buffer, block: number): Buffer {
  if (block >= 2 ** 32) throw new RangeError('encrypted blobs hold at most 64 GiB');
  const iv = Buffer.alloc(BLOCK);
  nonce.copy(iv, 0, 0, 12);
  iv.writeUInt32BE(block, 12);
  return iv;
}
