/**
 * Restores that come due: an ongoing restore completes (ObjectRestore:Completed) and, `Days`
 * later, its copy expires (ObjectRestore:Delete). State is the versions' `restore` and
 * `restore_due_at` columns; this work only advances what is due.
 */
import { randomBytes } from 'node:crypto';
import type { StorageEngine } from './engine.js';
import type { ScheduledWork } from './scheduler.js';
import type { ChangeContext } from './types.js';

/** Versions advanced per query; the loop repeats until nothing due is left. */
const BATCH = 100;

export class RestoreWork implements ScheduledWork {
  readonly name = 'restores';

  /**
   * @param ownerId the bucket owner's id: a completion's record names `AmazonCustomer:<owner>`
   *   as its principal (as AWS-sent ObjectRestore:Completed records do), an expiry names S3.
   */
  constructor(
    private readonly engine: StorageEngine,
    private readonly ownerId: string,
  ) {}

  async run(now: number): Promise<number | undefined> {
    for (;;) {
      const due = this.engine.archived.dueRestores(now, BATCH);
      for (const object of due) {
        const completing = object.restore?.ongoing === true;
        await this.engine.archived.advanceRestore(
          object,
          now,
          systemContext(completing ? `AmazonCustomer:${this.ownerId}` : 's3.amazonaws.com'),
        );
      }
      if (due.length < BATCH) break;
    }
    return this.engine.archived.nextRestoreChange();
  }
}

/**
 * The origin of a change S3 makes on its own: no client address (`s3.amazonaws.com`, as
 * AWS's lifecycle and restore records show) and request ids of its own.
 */
export function systemContext(principalId: string): ChangeContext {
  const bytes = randomBytes(56);
  return {
    requestId: bytes.subarray(0, 8).toString('hex').toUpperCase(),
    hostId: bytes.subarray(8).toString('base64'),
    principalId,
    sourceIp: 's3.amazonaws.com',
  };
}
