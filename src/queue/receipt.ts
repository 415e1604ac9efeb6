/**
 * Receipt handles (pure). A handle names the queue, the message row and the token of one
 * receive; every receive draws a new token, so a handle from an earlier receive is
 * recognisably stale.
 */
import { randomBytes } from 'node:crypto';

export interface Receipt {
  queue: string;
  seq: number;
  token: string;
}

const PREFIX = 'v1';

export function newReceiptToken(): string {
  return randomBytes(18).toString('base64url');
}

export function encodeReceipt(receipt: Receipt): string {
  return Buffer.from(`${PREFIX} ${receipt.queue} ${receipt.seq} ${receipt.token}`).toString(
    'base64url',
  );
}

/** The receipt a handle carries, or undefined when it is not a handle Vigil issued. */
export function decodeReceipt(handle: string): Receipt | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(handle)) return undefined;
  const parts = Buffer.from(handle, 'base64url').toString('utf8').split(' ');
  if (parts.length !== 4 || parts[0] !== PREFIX) return undefined;
  const [, queue, seqText, token] = parts as [string, string, string, string];
  if (!/^[1-9]\d{0,15}$/.test(seqText) || !/^[A-Za-z0-9_-]{24}$/.test(token) || !queue) {
    return undefined;
  }
  return { queue, seq: Number(seqText), token };
}
