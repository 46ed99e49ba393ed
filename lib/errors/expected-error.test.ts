import { describe, expect, it } from 'vitest';
import { auditOutcome, ExpectedError, isExpectedError, STATUS_OF_KIND, type ErrorKind } from './expected-error';

class Sample extends ExpectedError {
  override name = 'Sample';
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

describe('ExpectedError', () => {
  // A refusal says no more than a missing object: nothing tells that it exists for someone else.
  const statuses: [ErrorKind, number][] = [
    ['invalid-input', 400],
    ['not-found', 404],
    ['forbidden', 404],
    ['conflict', 409],
    ['throttled', 429],
    ['unavailable', 503],
    ['unreachable', 502],
    ['failed', 502],
  ];

  it.each(statuses)('answers %s with %i', (kind, status) => {
    expect(new Sample(kind, 'x').status).toBe(status);
    expect(STATUS_OF_KIND[kind]).toBe(status);
  });

  it('has a status for every kind and no other', () => {
    expect(Object.keys(STATUS_OF_KIND).sort()).toEqual(statuses.map(([k]) => k).sort());
  });

  it('is an Error whose person-facing message is its message unless a subclass says otherwise', () => {
    const e = new Sample('conflict', 'The target exists.');
    expect(e).toBeInstanceOf(Error);
    expect(e.userMessage).toBe('The target exists.');
    expect(e.retryAfterSeconds).toBeUndefined();
    class Worded extends Sample {
      override get userMessage() {
        return 'There is no such thing.';
      }
    }
    const w = new Worded('not-found', 'There is no repository 42 in datastore 100.');
    expect(w.userMessage).toBe('There is no such thing.');
    expect(w.message).toBe('There is no repository 42 in datastore 100.');
  });

  it('tells an expected failure from anything else', () => {
    expect(isExpectedError(new Sample('failed', 'x'))).toBe(true);
    expect(isExpectedError(new Error('x'))).toBe(false);
    expect(isExpectedError({ kind: 'failed', status: 502, userMessage: 'x' })).toBe(false);
    expect(isExpectedError('failed')).toBe(false);
    expect(isExpectedError(undefined)).toBe(false);
  });
});

describe('isExpectedError', () => {
  it('tells failures apart by kind, so app code needs no error class', () => {
    const reading = new Sample('unavailable', 'Still reading.');
    expect(isExpectedError(reading)).toBe(true);
    expect(isExpectedError(reading, 'unavailable')).toBe(true);
    expect(isExpectedError(reading, 'conflict', 'unavailable')).toBe(true);
    expect(isExpectedError(reading, 'conflict')).toBe(false);
    expect(isExpectedError(new Error('boom'))).toBe(false);
    expect(isExpectedError(new Error('boom'), 'failed')).toBe(false);
  });
});

describe('auditOutcome', () => {
  it('records refusals before anything ran as refused, the rest as failed', () => {
    for (const kind of ['conflict', 'invalid-input', 'not-found', 'forbidden'] as const)
      expect(auditOutcome(new Sample(kind, 'no'))).toBe('refused');
    for (const kind of ['failed', 'unreachable', 'unavailable', 'throttled'] as const)
      expect(auditOutcome(new Sample(kind, 'no'))).toBe('failed');
    expect(auditOutcome(new Error('boom'))).toBe('failed');
  });
});
