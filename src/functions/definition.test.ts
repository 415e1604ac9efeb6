import { describe, expect, it } from 'vitest';
import { FunctionConfigError, resolveDefinition, retryDelayMs } from './definition.js';
import type { FunctionDefinition } from './types.js';

const base = { name: 'resize', module: '/srv/functions/resize.mjs' };

describe('resolveDefinition', () => {
  it("applies Lambda's defaults", () => {
    expect(resolveDefinition(base)).toEqual({
      name: 'resize',
      moduleUrl: 'file:///srv/functions/resize.mjs',
      handler: 'handler',
      timeoutSeconds: 3,
      memoryMb: 128,
      reservedConcurrency: 1,
      environment: {},
      maximumRetryAttempts: 2,
      maximumEventAgeSeconds: 21_600,
      onFailure: undefined,
      retryDelaysSeconds: [60, 120],
      recursiveLoop: 'Terminate',
    });
  });

  it('takes a retry schedule from the function, else from the runtime', () => {
    expect(resolveDefinition(base, [0.5]).retryDelaysSeconds).toEqual([0.5]);
    const fn = resolveDefinition({ ...base, retryDelaysSeconds: [1, 2.5] }, [0.5]);
    expect([1, 2, 3].map((attempt) => retryDelayMs(fn, attempt))).toEqual([1000, 2500, 2500]);
  });

  it.each<[string, Partial<FunctionDefinition>, string]>([
    ['name', { name: 'has space' }, 'name: expected 1-64 letters'],
    ['name', { name: 'x'.repeat(65) }, 'name: expected 1-64 letters'],
    ['module', { module: 'relative/resize.mjs' }, 'module: expected an absolute path'],
    ['handler', { handler: 'not-an-identifier' }, 'handler: expected the name of an exported'],
    [
      'timeoutSeconds',
      { timeoutSeconds: 901 },
      'timeoutSeconds: expected an integer from 1 to 900',
    ],
    ['memoryMb', { memoryMb: 64 }, 'memoryMb: expected an integer from 128 to 10240'],
    [
      'reservedConcurrency',
      { reservedConcurrency: 0 },
      'reservedConcurrency: expected an integer from 1 to 1000',
    ],
    [
      'maximumRetryAttempts',
      { maximumRetryAttempts: 3 },
      'maximumRetryAttempts: expected an integer from 0 to 2',
    ],
    [
      'maximumEventAgeSeconds',
      { maximumEventAgeSeconds: 59 },
      'maximumEventAgeSeconds: expected an integer from 60 to 21600',
    ],
    ['retryDelaysSeconds', { retryDelaysSeconds: [] }, 'retryDelaysSeconds: expected one or more'],
    [
      'retryDelaysSeconds',
      { retryDelaysSeconds: [-1] },
      'retryDelaysSeconds: expected one or more',
    ],
    [
      'onFailure',
      { onFailure: 'arn:aws:sqs:us-east-1:000000000000:q' },
      'onFailure: expected the name of a Vigil queue',
    ],
    [
      'environment',
      { environment: { AWS_REGION: 'eu-west-1' } },
      'environment.AWS_REGION: expected a name Lambda does not reserve',
    ],
    ['environment', { environment: { '1BAD': 'x' } }, 'environment.1BAD: expected a string'],
  ])('refuses a bad %s, naming the field', (_, change, message) => {
    const attempt = () => resolveDefinition({ ...base, ...change });
    expect(attempt).toThrow(FunctionConfigError);
    expect(attempt).toThrow(message);
  });

  it('accepts file URLs and lets functions set AWS_ENDPOINT_URL', () => {
    const fn = resolveDefinition({
      ...base,
      module: 'file:///srv/fns/a.mjs',
      environment: { AWS_ENDPOINT_URL: 'https://s3.amazonaws.com' },
    });
    expect(fn.moduleUrl).toBe('file:///srv/fns/a.mjs');
    expect(fn.environment).toEqual({ AWS_ENDPOINT_URL: 'https://s3.amazonaws.com' });
  });
});
