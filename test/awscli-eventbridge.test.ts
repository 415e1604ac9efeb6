/**
 * `aws events` against a real listening Vigil: the CLI's own request building (JSON 1.1,
 * SigV4 for `events`) and answer parsing for rules, targets and TestEventPattern.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsBinaries, runAws, type AwsResult } from './support/awscli.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:cli-events';
const PATTERN = '{"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"images/"}]}}}';

const binaries = findAwsBinaries();

if (binaries.length === 0) {
  const message = 'no aws CLI found (install it with `apt-get install -y awscli`)';
  if (process.env['CI'] === 'true') {
    it('has an aws CLI to test with', () => expect.fail(`${message}; CI must have it`));
  } else {
    console.warn(`awscli EventBridge tests skipped: ${message}`);
    it.skip(`aws CLI EventBridge tests: ${message}`, () => {});
  }
}

describe.each(binaries)('aws CLI $version ($path): events', ({ path: bin }) => {
  let t: TestVigil;

  const aws = (...args: string[]) => runAws(bin, t.url, t, args);
  const json = async (...args: string[]): Promise<unknown> => {
    const result = await aws('events', ...args);
    expect(result, `aws events ${args.join(' ')}\n${result.stderr}`).toMatchObject({ code: 0 });
    return JSON.parse(result.stdout.trim() || '{}');
  };
  const failure = (result: AwsResult, code: string) => {
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toContain(code);
  };

  beforeAll(async () => {
    t = await startTestVigil({ config: { seed: false, queues: [{ name: 'cli-events' }] } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('puts a rule and its targets, and lists them', async () => {
    expect(
      await json(
        'put-rule',
        '--name',
        'cli-images',
        '--event-pattern',
        PATTERN,
        '--description',
        'from the CLI',
      ),
    ).toEqual({ RuleArn: 'arn:aws:events:us-east-1:000000000000:rule/cli-images' });
    expect(
      await json(
        'put-targets',
        '--rule',
        'cli-images',
        '--targets',
        `Id=queue,Arn=${QUEUE},InputPath=$.detail`,
      ),
    ).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
    const [rules, targets] = await Promise.all([
      json('list-rules', '--name-prefix', 'cli-'),
      json('list-targets-by-rule', '--rule', 'cli-images'),
    ]);
    expect(rules).toEqual({
      Rules: [
        {
          Name: 'cli-images',
          Arn: 'arn:aws:events:us-east-1:000000000000:rule/cli-images',
          EventPattern: PATTERN,
          State: 'ENABLED',
          Description: 'from the CLI',
          EventBusName: 'default',
        },
      ],
    });
    expect(targets).toEqual({ Targets: [{ Id: 'queue', Arn: QUEUE, InputPath: '$.detail' }] });
  });

  it('tests an event pattern', async () => {
    const event = JSON.stringify({
      id: '1',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '000000000000',
      time: '2026-01-02T03:04:05Z',
      region: 'us-east-1',
      resources: [],
      detail: { object: { key: 'images/cat.jpg' } },
    });
    const [matched, invalid] = await Promise.all([
      json('test-event-pattern', '--event-pattern', PATTERN, '--event', event),
      aws(
        'events',
        'test-event-pattern',
        '--event-pattern',
        '{"source":"aws.s3"}',
        '--event',
        event,
      ),
    ]);
    expect(matched).toEqual({ Result: true });
    failure(invalid, 'InvalidEventPatternException');
  });

  it('reports EventBridge’s errors', async () => {
    // In parallel: each CLI start costs most of a second.
    const [unknown, hasTargets, schedule, bus] = await Promise.all([
      aws('events', 'describe-rule', '--name', 'nope'),
      aws('events', 'delete-rule', '--name', 'cli-images'),
      aws('events', 'put-rule', '--name', 'nightly', '--schedule-expression', 'rate(1 day)'),
      aws('events', 'list-rules', '--event-bus-name', 'orders'),
    ]);
    failure(unknown, 'ResourceNotFoundException');
    failure(hasTargets, 'ValidationException');
    failure(schedule, 'ValidationException');
    failure(bus, 'ResourceNotFoundException');
  });
});
