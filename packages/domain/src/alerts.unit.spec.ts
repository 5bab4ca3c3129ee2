import { describe, expect, it } from 'vitest';
import { toAlert } from './alerts.ts';
import { Phase, Source, systemEvent } from './events.ts';

describe('live alerts', () => {
  it('turns an event worth a toast into an alert with readable phase and source names', () => {
    const at = new Date('2026-12-02T10:00:00Z');
    const event = systemEvent(
      's-1',
      'org-1',
      { case: 'multipleFaces', value: { phase: Phase.START, episodeId: 'e-1', faceCount: 2 } },
      { now: at, source: Source.VERIFIER },
    );
    expect(toAlert(event)).toMatchObject({
      eventId: event.eventId,
      sessionId: 's-1',
      orgId: 'org-1',
      kind: 'multipleFaces',
      phase: 'START',
      source: 'verifier',
      occurredAt: '2026-12-02T10:00:00Z',
    });
    expect(
      toAlert(systemEvent('s-1', 'org-1', { case: 'sessionEnded', value: { reason: 'done' } })),
    ).toMatchObject({
      phase: 'INSTANT',
      source: 'system',
    });
  });

  it('raises none for the quiet kinds: samples and bookkeeping', () => {
    expect(toAlert(systemEvent('s-1', 'org-1', { case: 'sessionCreated', value: {} }))).toBeUndefined();
    expect(
      toAlert(systemEvent('s-1', 'org-1', { case: 'detectorStatus', value: { framesAnalysed: 10, fps: 9 } })),
    ).toBeUndefined();
  });
});
