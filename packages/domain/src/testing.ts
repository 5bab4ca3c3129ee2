import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { EventEnvelopeSchema, Source } from '@proctor/proto';
import { newEventId, type StoredEvent, storedEvent } from './events.ts';

export type PayloadInit = MessageInitShape<typeof EventEnvelopeSchema>['payload'];

/** Builds a session's stored events from a short script; for tests of the read model and the report. */
export function timeline(sessionId: string, orgId = 'org-1', startMs = Date.parse('2026-11-24T10:00:00Z')) {
  let seq = 0n;
  const events: StoredEvent[] = [];
  const add = (atSeconds: number, payload: PayloadInit, source = Source.BROWSER): StoredEvent => {
    seq += 1n;
    const at = new Date(startMs + atSeconds * 1000);
    const event = create(EventEnvelopeSchema, {
      eventId: newEventId(),
      sessionId,
      orgId,
      producerId: 'tab-1',
      producerSeq: seq,
      occurredAt: timestampFromDate(at),
      receivedAt: timestampFromDate(at),
      source,
      schemaVersion: 1,
      payload,
    });
    const stored = storedEvent(event, seq, seq);
    events.push(stored);
    return stored;
  };
  return { events, add };
}
