import type { ChangeContext, StorageEngine } from '../storage/index.js';

export interface ActivityWriterOptions {
  /** Clock for changes that carry no time of their own (removals, tagging). */
  now?: () => number;
}

/**
 * Records every committed object change in `object_activity`: a storage change hook, so the
 * row is written inside the change's own transaction and shares its fate (a rolled-back
 * change leaves no row). One prepared INSERT per change, bound positionally: this runs on
 * every write, and named parameters and intermediate objects doubled its cost.
 *
 * @example
 * const engine = await StorageEngine.open({ dataDir });
 * installActivityWriter(engine);
 */
export function installActivityWriter(
  engine: StorageEngine,
  options: ActivityWriterOptions = {},
): void {
  const now = options.now ?? Date.now;
  const insert = engine.db.prepare(
    `INSERT INTO object_activity (at, bucket, key, kind, via, etag, size, tags, request_id,
                                  source_ip, principal, trace_header)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  engine.onChange((change, context) => {
    const requestId = text(context, 'requestId');
    const sourceIp = ipOf(text(context, 'sourceIp'));
    const principal = text(context, 'principalId');
    const traceHeader = text(context, 'traceHeader');
    if (change.kind === 'removed') {
      // A removal names the version it removed (nothing when the key did not exist).
      const { previous } = change;
      insert.run(
        now(),
        change.bucket,
        change.key,
        change.kind,
        null,
        previous?.etag ?? null,
        previous?.size ?? null,
        null,
        requestId,
        sourceIp,
        principal,
        traceHeader,
      );
      return;
    }
    // Restores and storage-class moves change neither bytes nor tags, the moderation story
    // the timeline tells; their events still appear there as deliveries.
    if (
      change.kind !== 'created' &&
      change.kind !== 'tagging-put' &&
      change.kind !== 'tagging-deleted'
    )
      return;
    const { object } = change;
    insert.run(
      change.kind === 'created' ? object.lastModified.getTime() : now(),
      object.bucket,
      object.key,
      change.kind,
      change.kind === 'created' ? change.via : null,
      object.etag,
      object.size,
      JSON.stringify(object.tags),
      requestId,
      sourceIp,
      principal,
      traceHeader,
    );
  });
}

function text(context: ChangeContext, name: string): string | null {
  const value = context[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** As S3 prints it (and the event record carries it): a.b.c.d, not ::ffff:a.b.c.d. */
function ipOf(address: string | null): string | null {
  return address?.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
