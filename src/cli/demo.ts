import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openReportStore } from '../reporting/open.js';

/** The synthetic images the demo uploads (generated noise, no real content). */
const DEMO_IMAGES = [
  'flagged-porn.jpg',
  'flagged-sexy.jpg',
  'clean-shapes.jpg',
  'flagged-hentai.jpg',
];

export interface DemoOptions {
  endpoint: string;
  region: string;
  dataDir: string;
  /** `reporting.url`, when the tracking records are in PostgreSQL. */
  reportsUrl?: string | undefined;
  reportsSchema?: string | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string };
  timeoutMs?: number;
}

/**
 * The seed scenario, shown: uploads the sample images to `uploads/content/images/` with the
 * AWS SDK, waits for moderate-image's tracking records and prints key, labels, decision and
 * upload-to-decision latency. Returns the exit code (0 when every image was judged).
 */
export async function runDemo(
  options: DemoOptions,
  write: (text: string) => void,
): Promise<number> {
  const s3 = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: true,
    credentials: options.credentials,
  });
  const reports = await openReportStore({
    dataDir: options.dataDir,
    ...(options.reportsUrl ? { url: options.reportsUrl } : {}),
    ...(options.reportsSchema ? { schema: options.reportsSchema } : {}),
  });
  const stamp = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15);
  try {
    const uploads = await Promise.all(
      DEMO_IMAGES.map(async (name) => {
        const body = await readFile(
          fileURLToPath(new URL(`../../test/fixtures/images/${name}`, import.meta.url)),
        );
        const key = `content/images/demo-${stamp}-${name}`;
        const put = await s3.send(
          new PutObjectCommand({
            Bucket: 'uploads',
            Key: key,
            Body: body,
            ContentType: 'image/jpeg',
          }),
        );
        return { key, etag: (put.ETag ?? '').replaceAll('"', ''), ackedAt: Date.now() };
      }),
    );
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    const rows: string[][] = [];
    let missing = 0;
    for (const upload of uploads) {
      // Each run uploads to keys of its own: the key's record with the upload's ETag is it.
      const find = async () =>
        (await reports.recordsFor('uploads', upload.key)).find((r) => r.etag === upload.etag);
      let record = await find();
      while (!record && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        record = await find();
      }
      if (!record) {
        missing++;
        rows.push([
          upload.key,
          '-',
          'no result (is `vigil serve` running with the seed scenario?)',
          '-',
        ]);
        continue;
      }
      const labels = record.labels
        .filter((label) => label.TaxonomyLevel === 1)
        .map((label) => `${label.Name} ${label.Confidence.toFixed(1)}%`)
        .join(', ');
      rows.push([
        upload.key,
        labels || '-',
        record.decision,
        `${Math.max(0, record.processingEnd - upload.ackedAt)} ms`,
      ]);
    }
    write(table([['KEY', 'LABELS', 'DECISION', 'UPLOAD TO DECISION'], ...rows]));
    write(
      'Blocked images carry the tag BlockedContent=true and wait in the moderation-review queue;\n' +
        'the gate (/_vigil/public/uploads/<key>) refuses them.\n',
    );
    return missing === 0 ? 0 : 1;
  } finally {
    s3.destroy();
    await reports.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
