import {
  decodeEvent,
  type EventEnvelope,
  encodeEvent,
  kindOf,
  occurredAtMs,
  receivedAtMs,
  type StoredEvent,
  storedEvent,
} from '@proctor/domain';
import { Binary, type Collection, type Db, MongoBulkWriteError } from 'mongodb';

/**
 * The append-only event store, in a MongoDB-wire database. There is no update or delete path: events are
 * inserted once (unique event id), numbered per session (unique session id + sequence) and globally
 * (unique position), and read back in order for replays.
 */
interface EventDoc {
  _id: string;
  sessionId: string;
  sessionSeq: number;
  position: number;
  kind: string;
  occurredAt: Date;
  receivedAt: Date;
  data: Binary;
}

interface CounterDoc {
  _id: string;
  value: number;
}

const DUPLICATE_KEY = 11000;

export interface AppendResult {
  /** Every input event as stored: newly appended or found already there (then with its original numbers). */
  stored: StoredEvent[];
  appended: number;
  duplicates: number;
}

export async function createEventStore(db: Db) {
  const events: Collection<EventDoc> = db.collection('events');
  const counters: Collection<CounterDoc> = db.collection('counters');
  await events.createIndex({ sessionId: 1, sessionSeq: 1 }, { unique: true, name: 'session_seq' });
  await events.createIndex({ position: 1 }, { unique: true, name: 'position' });

  // The last sequence per session this instance appended; valid while its partitions stay assigned.
  const lastSeq = new Map<string, number>();

  const toStored = (doc: EventDoc): StoredEvent =>
    storedEvent(decodeEvent(doc.data.buffer), BigInt(doc.sessionSeq), BigInt(doc.position));

  async function nextSeq(sessionId: string): Promise<number> {
    const cached = lastSeq.get(sessionId);
    if (cached !== undefined) return cached;
    const last = await events
      .find({ sessionId }, { projection: { sessionSeq: 1 } })
      .sort({ sessionSeq: -1 })
      .limit(1)
      .next();
    return last?.sessionSeq ?? 0;
  }

  async function reservePositions(count: number): Promise<number> {
    const counter = await counters.findOneAndUpdate(
      { _id: 'position' },
      { $inc: { value: count } },
      { upsert: true, returnDocument: 'after' },
    );
    return (counter?.value ?? count) - count + 1;
  }

  async function appendOnce(input: EventEnvelope[]): Promise<AppendResult> {
    const unique = [...new Map(input.map((e) => [e.eventId, e])).values()];
    const existing = new Map<string, StoredEvent>();
    for (const doc of await events.find({ _id: { $in: unique.map((e) => e.eventId) } }).toArray()) {
      existing.set(doc._id, toStored(doc));
    }
    const fresh = unique.filter((e) => !existing.has(e.eventId));
    const docs: EventDoc[] = [];
    if (fresh.length > 0) {
      let position = await reservePositions(fresh.length);
      const seqs = new Map<string, number>();
      for (const event of fresh) {
        const seq = (seqs.get(event.sessionId) ?? (await nextSeq(event.sessionId))) + 1;
        seqs.set(event.sessionId, seq);
        docs.push({
          _id: event.eventId,
          sessionId: event.sessionId,
          sessionSeq: seq,
          position: position++,
          kind: kindOf(event) ?? 'unknown',
          occurredAt: new Date(occurredAtMs(event)),
          receivedAt: new Date(receivedAtMs(event)),
          data: new Binary(encodeEvent(event)),
        });
      }
      await events.insertMany(docs, { ordered: true });
      for (const [sessionId, seq] of seqs) lastSeq.set(sessionId, seq);
    }
    const appended = new Map(docs.map((doc) => [doc._id, toStored(doc)]));
    const stored = input
      .map((e) => appended.get(e.eventId) ?? existing.get(e.eventId))
      .filter((s): s is StoredEvent => !!s);
    return { stored, appended: docs.length, duplicates: input.length - docs.length };
  }

  return {
    /**
     * Appends a batch (idempotent by event id). A conflict with a concurrent appender (a rebalance moved the
     * partition) is resolved by forgetting the cached sequences and trying again; nothing is half-written
     * because the batch is inserted in order and a failed insert leaves the events to the next attempt.
     */
    async append(input: EventEnvelope[]): Promise<AppendResult> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await appendOnce(input);
        } catch (error) {
          const conflict =
            error instanceof MongoBulkWriteError || (error as { code?: number }).code === DUPLICATE_KEY;
          if (!conflict || attempt >= 5) throw error;
          lastSeq.clear();
        }
      }
    },

    /** Events in global order from `afterPosition`, in pages: the source of replays. */
    async *readAll(afterPosition = 0, pageSize = 1000): AsyncGenerator<StoredEvent[]> {
      let from = afterPosition;
      for (;;) {
        const page = await events
          .find({ position: { $gt: from } })
          .sort({ position: 1 })
          .limit(pageSize)
          .toArray();
        if (page.length === 0) return;
        yield page.map(toStored);
        from = page[page.length - 1]?.position ?? from;
      }
    },

    /** One session's events in order; `kinds` narrows to some payload kinds (e.g. what the browser reports). */
    async readSession(
      sessionId: string,
      options: { kinds?: readonly string[] } = {},
    ): Promise<StoredEvent[]> {
      const filter = options.kinds ? { sessionId, kind: { $in: [...options.kinds] } } : { sessionId };
      return (await events.find(filter).sort({ sessionSeq: 1 }).toArray()).map(toStored);
    },

    async count(filter: { sessionId?: string } = {}): Promise<number> {
      return events.countDocuments(filter);
    },

    /** Partitions were reassigned: another instance may have appended to sessions this one cached. */
    forgetCachedSequences(): void {
      lastSeq.clear();
    },
  };
}

export type EventStore = Awaited<ReturnType<typeof createEventStore>>;
