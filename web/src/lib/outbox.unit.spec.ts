import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ClientEvent, createOutbox, type SendOutcome } from './outbox.ts';
import { memoryOutbox } from './outbox-idb.ts';

const event = (seq: number): ClientEvent => ({
  eventId: `e-${seq}`,
  sessionId: 's',
  producerId: 'p',
  producerSeq: String(seq),
  occurredAt: new Date(seq * 1000).toISOString(),
  tabHidden: { phase: 'PHASE_START' },
});

afterEach(() => vi.useRealTimers());

describe('the outbox', () => {
  it('sends in order, in batches, and forgets only what the server took', async () => {
    const store = memoryOutbox();
    const sent: string[][] = [];
    const outbox = createOutbox({
      store,
      batchSize: 2,
      send: async (batch) => {
        sent.push(batch.map((e) => e.eventId));
        return { kind: 'sent', done: batch.map((e) => e.eventId) };
      },
    });
    await outbox.enqueue([event(3), event(1), event(2)]);
    await outbox.flush();
    expect(sent).toEqual([['e-1', 'e-2'], ['e-3']]);
    expect(await store.count()).toBe(0);
  });

  it('keeps everything while the server is unreachable, backs off, and delivers once it is back', async () => {
    vi.useFakeTimers();
    const store = memoryOutbox();
    let online = false;
    const delivered = new Set<string>();
    const attempts: number[] = [];
    const outbox = createOutbox({
      store,
      random: () => 1,
      send: async (batch): Promise<SendOutcome> => {
        attempts.push(Date.now());
        if (!online) return { kind: 'retry', reason: 'offline' };
        for (const e of batch) delivered.add(e.eventId);
        return { kind: 'sent', done: batch.map((e) => e.eventId) };
      },
    });
    await outbox.enqueue([event(1), event(2)]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(outbox.state()).toMatchObject({ pending: 2, retrying: true, lastError: 'offline' });
    // Backoff grows: gaps between attempts are increasing.
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] ?? 0));
    expect(gaps.slice(0, 4)).toEqual([...gaps.slice(0, 4)].sort((a, b) => a - b));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15_000);
    online = true;
    await vi.advanceTimersByTimeAsync(16_000);
    expect([...delivered]).toEqual(['e-1', 'e-2']);
    expect(outbox.state()).toMatchObject({ pending: 0, retrying: false });
  });

  it('stores a re-enqueued event once', async () => {
    const store = memoryOutbox();
    const outbox = createOutbox({ store, send: async () => ({ kind: 'retry', reason: 'x' }) });
    await outbox.enqueue([event(1)]);
    await outbox.enqueue([event(1)]);
    expect(await store.count()).toBe(1);
    outbox.stop();
  });

  it('halves the batch when the server says it is too large', async () => {
    const store = memoryOutbox();
    const sizes: number[] = [];
    const outbox = createOutbox({
      store,
      batchSize: 8,
      send: async (batch) => {
        sizes.push(batch.length);
        return batch.length > 2 ? { kind: 'split' } : { kind: 'sent', done: batch.map((e) => e.eventId) };
      },
    });
    await outbox.enqueue(Array.from({ length: 8 }, (_, i) => event(i + 1)));
    await outbox.flush();
    expect(sizes).toEqual([8, 4, 2, 2, 2, 2]);
    expect(await store.count()).toBe(0);
  });

  it('stops and says why when the link is no longer valid, keeping the events', async () => {
    const store = memoryOutbox();
    const outbox = createOutbox({ store, send: async () => ({ kind: 'fatal', reason: 'link expired' }) });
    await outbox.enqueue([event(1)]);
    expect(await outbox.flushAll(1000)).toBe(1);
    expect(outbox.state().fatal).toBe('link expired');
  });
});
