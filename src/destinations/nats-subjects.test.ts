import { describe, expect, it } from 'vitest';
import { subjectMatches } from './nats-subjects.js';

describe('subjectMatches', () => {
  it.each([
    ['vigil.events', 'vigil.events', true],
    ['vigil.events', 'vigil.event', false],
    ['vigil.events', 'vigil.events.x', false],
    ['vigil.*', 'vigil.events', true],
    ['vigil.*', 'vigil.events.x', false],
    ['*.events', 'vigil.events', true],
    ['vigil.>', 'vigil.events', true],
    ['vigil.>', 'vigil.events.photos', true],
    ['vigil.>', 'vigil', false],
    ['>', 'anything.at.all', true],
    ['vigil.*.>', 'vigil.events.photos', true],
    ['vigil.*.>', 'vigil.events', false],
  ])('%s matches %s: %s', (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
  });
});
