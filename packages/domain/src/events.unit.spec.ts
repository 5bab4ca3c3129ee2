import { describe, expect, it } from 'vitest';
import { acceptClientEvent, decodeEvent, encodeEvent, LIMITS, newEventId } from './events.ts';

const now = new Date('2026-11-24T10:00:00Z');
const context = { sessionId: 's-1', orgId: 'org-1', now };
// As a browser sends it: JSON, so a key set to undefined is absent.
const valid = (overrides: Record<string, unknown> = {}) =>
  JSON.parse(
    JSON.stringify({
      eventId: newEventId(),
      sessionId: 's-1',
      producerId: 'tab-1',
      producerSeq: '1',
      occurredAt: '2026-11-24T09:59:58Z',
      lookingAway: { phase: 'PHASE_START', episodeId: 'away-1', yawDeg: 35 },
      ...overrides,
    }),
  );

describe('acceptClientEvent', () => {
  it('accepts a valid event and stamps it with the server time, the org and the browser source', () => {
    const result = acceptClientEvent(valid({ orgId: 'spoofed', source: 'SOURCE_VERIFIER' }), 0, context);
    if (!('event' in result)) throw new Error(JSON.stringify(result));
    expect(result.event.orgId).toBe('org-1');
    expect(result.event.source).toBe(1);
    expect(result.event.receivedAt?.seconds).toBe(BigInt(now.getTime() / 1000));
    expect(decodeEvent(encodeEvent(result.event))).toEqual(result.event);
  });

  it.each([
    ['not an object', 'junk', 'MALFORMED'],
    [
      'unknown event type',
      valid({ lookingAway: undefined, teleported: { phase: 'PHASE_START' } }),
      'UNKNOWN_TYPE',
    ],
    ['no payload', valid({ lookingAway: undefined }), 'UNKNOWN_TYPE'],
    ['wrong field type', valid({ lookingAway: { phase: 'SIDEWAYS' } }), 'MALFORMED'],
    ['event id not a UUIDv7', valid({ eventId: '123' }), 'MALFORMED'],
    ['another session', valid({ sessionId: 's-2' }), 'WRONG_SESSION'],
    ['in the future', valid({ occurredAt: '2026-11-24T10:05:00Z' }), 'FUTURE_DATED'],
    ['too old', valid({ occurredAt: '2026-11-01T10:00:00Z' }), 'TOO_OLD'],
    ['a platform event from a client', valid({ lookingAway: undefined, sessionEnded: {} }), 'FORBIDDEN_TYPE'],
    ['no phase', valid({ lookingAway: { episodeId: 'a' } }), 'MALFORMED'],
    ['no producer sequence', valid({ producerSeq: '0' }), 'MALFORMED'],
    [
      'oversized',
      valid({
        lookingAway: { phase: 'PHASE_START', evidence: { snapshotRef: 'x'.repeat(LIMITS.maxEventBytes) } },
      }),
      'OVERSIZED',
    ],
  ])('rejects %s with a clear code', (_name, raw, code) => {
    const result = acceptClientEvent(raw, 3, context);
    expect('problem' in result && result.problem).toMatchObject({ index: 3, code });
  });
});
