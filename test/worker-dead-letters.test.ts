/**
 * The dead letters of `vigil worker` sources, seen and redriven: JetStream's `<stream>_DLQ`
 * and an SQS dead-letter queue (a Vigil's own), through `vigil dlq --worker` and the
 * console's operations API. Needs NATS with JetStream (running here and in CI; skipped
 * elsewhere, saying so).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerDeadLettersOverview } from '../src/console/api-types.js';
import { JetStreamDeadLetters } from '../src/worker/jetstream-dead-letters.js';
import { JetStreamSource } from '../src/worker/jetstream-source.js';
import { SqsDeadLetters } from '../src/worker/sqs-dead-letters.js';
import { SqsSource } from '../src/worker/sqs-source.js';
import { launchChromium, probeChromium } from './support/browser.js';
import { VIGIL_BIN } from './support/child.js';
import { ConsoleClient } from './support/console.js';
import { receiveSome } from './support/event-source-contract.js';
import { probeNats } from './support/nats.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

const run = promisify(execFile);
const nats = await probeNats();
const chromium = probeChromium();

const EVENT = JSON.stringify({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      eventTime: '2026-12-03T10:00:00.000Z',
      s3: { bucket: { name: 'photos' }, object: { key: 'img/cat.jpg', size: 5, eTag: 'abc' } },
    },
  ],
});

describe('worker dead letters on JetStream', () => {
  if (!nats.reachable && nats.required)
    it('reaches NATS JetStream', () => {
      throw new Error(nats.message);
    });
  if (!nats.reachable) {
    it.skip('needs NATS JetStream', () => {});
    return;
  }

  const id = randomBytes(4).toString('hex');
  const stream = `VIGIL_DLQ_TEST_${id}`;
  const subjects = [`vigil-dlq-test-${id}.>`];
  const source = {
    type: 'jetstream',
    servers: [nats.url],
    stream,
    subjects,
    durable: `dlq-test-${id}`,
    deadLetterSubject: `vigil-dlq-test-${id}-dead`,
  };
  let t: TestVigil;
  let nc: NatsConnection;
  let jetstream: JetStreamSource;
  let work: string;
  let configFile: string;

  beforeAll(async () => {
    jetstream = await JetStreamSource.open({
      servers: nats.url,
      stream,
      subjects,
      durable: source.durable,
      // Long enough that a slow acknowledgement on a loaded machine is never redelivered.
      ackWaitMs: 60_000,
      maxDeliver: 3,
      deadLetterSubject: source.deadLetterSubject,
    });
    nc = await connect({ servers: nats.url });
    work = await mkdtemp(join(tmpdir(), 'vigil-dlq-'));
    configFile = join(work, 'worker.json');
    await writeFile(configFile, JSON.stringify({ worker: { source } }));
    t = await startTestVigil({
      config: { seed: false, console: { workerDeadLetters: true }, worker: { source } },
    });
  }, 60_000);

  afterAll(async () => {
    await jetstream?.close();
    if (nc) {
      const jsm = await nc.jetstreamManager();
      for (const name of [stream, `${stream}_DLQ`])
        await jsm.streams.delete(name).catch(() => false);
      await nc.close();
    }
    await t?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Publishes `body` and has the source dead-letter it, as a worker giving up would. */
  const deadLetter = async (subject: string, body: string, reason: string) => {
    await nc.jetstream().publish(subject, new TextEncoder().encode(body));
    const [delivery] = await receiveSome(jetstream, 1);
    expect(new TextDecoder().decode(delivery!.body)).toBe(body);
    await delivery!.deadLetter(reason);
  };

  it('lists a dead letter with its reason and origin, and redrives it to its first subject', async () => {
    await deadLetter(`vigil-dlq-test-${id}.uploads`, EVENT, 'moderation failed 3 times');
    const letters = await JetStreamDeadLetters.open({ servers: nats.url, stream });
    try {
      const [letter, ...others] = await letters.list(100);
      expect(others).toEqual([]);
      expect(letter).toMatchObject({
        reason: 'moderation failed 3 times',
        attempts: 1,
        body: EVENT,
      });
      expect(letters.name).toBe(`jetstream:${stream}_DLQ`);

      expect(await letters.redrive([letter!.id])).toBe(1);
      expect(await letters.list(100)).toEqual([]);
    } finally {
      await letters.close();
    }
    // Back in the source stream, on the subject it first came on, for the workers.
    const [again] = await receiveSome(jetstream, 1);
    expect(new TextDecoder().decode(again!.body)).toBe(EVENT);
    await again!.ack();
  });

  it('vigil dlq list --worker shows the event and reason; redrive --worker --all sends them back', async () => {
    await deadLetter(`vigil-dlq-test-${id}.uploads`, EVENT, 'store unreachable');
    await deadLetter(`vigil-dlq-test-${id}.junk`, 'not an event', 'body is not JSON');
    const list = await run(process.execPath, [
      VIGIL_BIN,
      'dlq',
      'list',
      '--worker',
      '--config',
      configFile,
    ]);
    expect(list.stdout).toContain('ObjectCreated:Put  s3://photos/img/cat.jpg');
    expect(list.stdout).toContain('after 1 attempt(s): store unreachable');
    expect(list.stdout).toContain('unreadable: not an event');
    expect(list.stdout).toContain(`2 dead letter(s) in jetstream:${stream}_DLQ`);

    const redrive = await run(process.execPath, [
      VIGIL_BIN,
      'dlq',
      'redrive',
      '--worker',
      '--all',
      '--config',
      configFile,
    ]);
    expect(redrive.stdout).toBe('Redrove 2 dead letter(s).\n');
    const back = await receiveSome(jetstream, 2);
    expect(back.map((d) => new TextDecoder().decode(d.body)).sort()).toEqual(
      [EVENT, 'not an event'].sort(),
    );
    for (const d of back) await d.ack();
  });

  it('an unknown id is an error that names it', async () => {
    const failed = await run(process.execPath, [
      VIGIL_BIN,
      'dlq',
      'redrive',
      '--worker',
      '--id',
      '999999',
      '--config',
      configFile,
    ]).then(
      () => undefined,
      (error: { stderr: string; code: number }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`no dead letter 999999 in jetstream:${stream}_DLQ`);
  });

  it('the console shows them to an operator and redrives them, audited', async () => {
    await deadLetter(`vigil-dlq-test-${id}.uploads`, EVENT, 'function thumbnails failed');
    const console = new ConsoleClient(t.url);
    expect((await console.login(t.accessKeyId, t.secretAccessKey)).status).toBe(200);
    const overview = await console.json<WorkerDeadLettersOverview>(
      'operations/worker-dead-letters',
    );
    expect(overview.error).toBeUndefined();
    expect(overview.source).toBe(`jetstream:${stream}_DLQ`);
    expect(overview.letters).toEqual([
      expect.objectContaining({
        summary: 'ObjectCreated:Put  s3://photos/img/cat.jpg',
        reason: 'function thumbnails failed',
        attempts: 1,
      }),
    ]);
    const refused = await console.post('operations/worker-redrive', { ids: [] });
    expect(refused.status).toBe(400);
    const res = await console.post('operations/worker-redrive', {
      ids: [overview.letters[0]!.id],
    });
    expect(await res.json()).toEqual({ redriven: 1 });
    const after = await console.json<WorkerDeadLettersOverview>('operations/worker-dead-letters');
    expect(after.letters).toEqual([]);
    const audit = (await (await console.get('export/audit?format=json')).json()) as {
      action: string;
      note: string;
    }[];
    expect(audit).toContainEqual(
      expect.objectContaining({
        actor: 'root',
        action: 'dlq.redrive',
        note: JSON.stringify({
          source: `jetstream:${stream}_DLQ`,
          ids: [overview.letters[0]!.id],
          redriven: 1,
        }),
      }),
    );
    const [again] = await receiveSome(jetstream, 1);
    await again!.ack();
  });

  if (!chromium.available && chromium.required)
    it('finds Chromium', () => {
      throw new Error(chromium.message);
    });
  it.skipIf(!chromium.available)(
    'the delivery page lists them and redrives the selected one',
    async () => {
      await deadLetter(`vigil-dlq-test-${id}.uploads`, EVENT, 'review queue unreachable');
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        page.setDefaultTimeout(30_000);
        await page.goto(`${t.url}/_vigil/console/login`);
        await page.getByTestId('login-username').fill(t.accessKeyId);
        await page.getByTestId('login-password').fill(t.secretAccessKey);
        await page.getByTestId('login-submit').click();
        await page.getByTestId('user').waitFor();
        await page.getByTestId('nav-delivery').click();
        const letter = page
          .getByTestId('worker-dead-letter')
          .filter({ hasText: 'review queue unreachable' });
        await letter.waitFor();
        expect(await letter.textContent()).toContain('s3://photos/img/cat.jpg');
        expect(await page.getByTestId('worker-dead-letters-source').textContent()).toBe(
          `jetstream:${stream}_DLQ`,
        );
        await letter.getByTestId('worker-dead-letter-select').check();
        await page.getByTestId('worker-redrive-selected').click();
        await page
          .getByTestId('status')
          .getByText('Redriven 1 worker message (selected)', { exact: true })
          .waitFor();
        await letter.waitFor({ state: 'detached' });
      } finally {
        await browser.close();
      }
      const [again] = await receiveSome(jetstream, 1);
      await again!.ack();
    },
  );
});

describe('worker dead letters on SQS', () => {
  let t: TestVigil;
  let sqs: SQSClient;
  let queueUrl: string;
  let deadLetterQueueUrl: string;

  beforeAll(async () => {
    t = await startTestVigil({ fsync: false, config: { seed: false } });
    sqs = new SQSClient({
      endpoint: t.url,
      region: 'us-east-1',
      credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    });
    await sqs.send(new CreateQueueCommand({ QueueName: 'events' }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'events-dead' }));
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'events' }))).QueueUrl!;
    deadLetterQueueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'events-dead' })))
      .QueueUrl!;
  }, 60_000);

  afterAll(async () => {
    sqs?.destroy();
    await t?.stop();
  });

  it('lists dead letters without taking them, and redrives the chosen ones to their queue', async () => {
    const source = new SqsSource(sqs, {
      queueUrl,
      visibilitySeconds: 30,
      maxReceives: 3,
      deadLetterQueueUrl,
    });
    for (const body of [EVENT, 'not an event']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      const [delivery] = await receiveSome(source, 1);
      await delivery!.deadLetter(body === EVENT ? 'moderation failed' : 'body is not JSON');
    }
    const letters = new SqsDeadLetters(sqs, { deadLetterQueueUrl, queueUrl });
    const listed = await letters.list(100);
    expect(listed.map((l) => [l.reason, l.attempts, l.body]).sort()).toEqual(
      [
        ['body is not JSON', 1, 'not an event'],
        ['moderation failed', 1, EVENT],
      ].sort(),
    );
    // Listing gave them back at once: listing again sees the same two.
    expect((await letters.list(100)).map((l) => l.id).sort()).toEqual(
      listed.map((l) => l.id).sort(),
    );

    const event = listed.find((l) => l.body === EVENT)!;
    expect(await letters.redrive([event.id])).toBe(1);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((m) => m.Body)).toEqual([EVENT]);
    expect((await letters.list(100)).map((l) => l.body)).toEqual(['not an event']);
    await expect(letters.redrive(['no-such-id'])).rejects.toThrow(
      `no dead letter no-such-id in sqs:${deadLetterQueueUrl}`,
    );
  });
});
