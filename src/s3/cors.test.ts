import { describe, expect, it } from 'vitest';
import { corsHeaders, matchCorsRule, parseCorsConfiguration, type CorsRule } from './cors.js';

const rule = (overrides: Partial<CorsRule>): CorsRule => ({
  allowedOrigins: ['https://app.example'],
  allowedMethods: ['GET'],
  allowedHeaders: [],
  exposeHeaders: [],
  ...overrides,
});

describe('matchCorsRule', () => {
  it('matches origins exactly or around one wildcard, case-sensitively', () => {
    const rules = [rule({ allowedOrigins: ['https://*.example.com'] })];
    expect(matchCorsRule(rules, 'https://a.example.com', 'GET')).toBe(rules[0]);
    expect(matchCorsRule(rules, 'https://example.com', 'GET')).toBeUndefined();
    expect(matchCorsRule(rules, 'HTTPS://a.example.com', 'GET')).toBeUndefined();
  });

  it('needs the method and every requested header, headers case-insensitively', () => {
    const rules = [rule({ allowedMethods: ['PUT'], allowedHeaders: ['Content-Type', 'x-amz-*'] })];
    expect(matchCorsRule(rules, 'https://app.example', 'PUT', ['content-type', 'x-amz-date'])).toBe(
      rules[0],
    );
    expect(matchCorsRule(rules, 'https://app.example', 'PUT', ['authorization'])).toBeUndefined();
    expect(matchCorsRule(rules, 'https://app.example', 'GET')).toBeUndefined();
  });

  it('takes the first rule that matches', () => {
    const rules = [rule({ id: 'a', allowedOrigins: ['*'] }), rule({ id: 'b' })];
    expect(matchCorsRule(rules, 'https://app.example', 'GET')?.id).toBe('a');
  });
});

describe('corsHeaders', () => {
  it('echoes the origin with credentials, or * for a rule open to all', () => {
    expect(corsHeaders(rule({}), 'https://app.example')).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-credentials': 'true',
    });
    const open = corsHeaders(rule({ allowedOrigins: ['*'] }), 'https://app.example');
    expect(open['access-control-allow-origin']).toBe('*');
    expect(open['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('parseCorsConfiguration', () => {
  it('refuses a configuration without rules, or a rule without an origin', () => {
    expect(() => parseCorsConfiguration({})).toThrow(
      expect.objectContaining({ code: 'MalformedXML' }),
    );
    expect(() => parseCorsConfiguration({ CORSRule: [{ AllowedMethod: 'GET' }] })).toThrow(
      expect.objectContaining({ code: 'MalformedXML' }),
    );
  });
});
