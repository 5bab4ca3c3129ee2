import type { EventPayloadJson } from '@proctor/domain';
import { v7 as uuidv7 } from 'uuid';
import type { ClientEvent } from './outbox.ts';

/**
 * Numbers this tab's events 1, 2, 3... (the producer sequence), persisted so a reload carries on where it
 * left off instead of starting again at 1.
 */
export function createEventFactory(sessionId: string, storage: Storage = localStorage) {
  const key = `proctor.producer.${sessionId}`;
  const saved = JSON.parse(storage.getItem(key) ?? 'null') as { producerId: string; seq: number } | null;
  const producer = saved ?? { producerId: `browser-${uuidv7()}`, seq: 0 };

  return {
    producerId: producer.producerId,
    /** An event with a fresh UUIDv7 id; `payload` is one EventEnvelope payload, e.g. `{ tabHidden: {...} }`. */
    make(payload: EventPayloadJson, at: Date = new Date()): ClientEvent {
      producer.seq += 1;
      storage.setItem(key, JSON.stringify(producer));
      return {
        eventId: uuidv7(),
        sessionId,
        producerId: producer.producerId,
        producerSeq: String(producer.seq),
        occurredAt: at.toISOString(),
        ...payload,
      };
    },
  };
}

export type EventFactory = ReturnType<typeof createEventFactory>;

/** Tracks START/END pairs: one episode id per ongoing thing, so the server pairs them in any order. */
export function createEpisodes() {
  const open = new Map<string, { id: string; startedAt: number }>();
  return {
    start(key: string, now = Date.now()): string | undefined {
      if (open.has(key)) return undefined;
      const id = uuidv7();
      open.set(key, { id, startedAt: now });
      return id;
    },
    end(key: string, now = Date.now()): { id: string; durationMs: number } | undefined {
      const episode = open.get(key);
      if (!episode) return undefined;
      open.delete(key);
      return { id: episode.id, durationMs: now - episode.startedAt };
    },
    isOpen: (key: string) => open.has(key),
  };
}
