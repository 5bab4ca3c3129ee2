import type { ClientEventJson } from '@proctor/domain';

/**
 * The candidate's outbox: every event is written to IndexedDB first, then sent in batches, retried with
 * backoff, and removed only once the server has taken it. A reload or an hour offline loses nothing; a
 * re-sent event keeps its id, so the server stores it once.
 */

/** An event as POST /api/logs takes it: protobuf JSON of EventEnvelope, typed by the generated JSON shapes. */
export type ClientEvent = ClientEventJson;

export interface OutboxStore {
  put(events: ClientEvent[]): Promise<void>;
  /** Oldest first, by producer sequence. */
  peek(limit: number): Promise<ClientEvent[]>;
  remove(eventIds: string[]): Promise<void>;
  count(): Promise<number>;
}

export type SendOutcome =
  | { kind: 'sent'; done: string[] }
  | { kind: 'retry'; reason: string }
  /** The batch was too big for the server: send smaller ones. */
  | { kind: 'split' }
  | { kind: 'fatal'; reason: string };

export interface OutboxOptions {
  store: OutboxStore;
  send: (events: ClientEvent[]) => Promise<SendOutcome>;
  batchSize?: number;
  /** How long to gather events before sending; alerts are a second away at most. */
  lingerMs?: number;
  maxBackoffMs?: number;
  onStateChange?: (state: OutboxState) => void;
  random?: () => number;
}

export interface OutboxState {
  pending: number;
  retrying: boolean;
  lastError: string | null;
  fatal: string | null;
}

export function createOutbox(options: OutboxOptions) {
  const batchSize = options.batchSize ?? 100;
  const lingerMs = options.lingerMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 15_000;
  const random = options.random ?? Math.random;
  const state: OutboxState = { pending: 0, retrying: false, lastError: null, fatal: null };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let draining: Promise<void> | undefined;
  let failures = 0;
  let currentBatch = batchSize;

  const publish = async () => {
    state.pending = await options.store.count();
    options.onStateChange?.({ ...state });
  };

  const schedule = (delayMs: number) => {
    if (timer || state.fatal) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, delayMs);
  };

  /** Sends batches until the outbox is empty or the server is unreachable (then retries later). */
  function drain(): Promise<void> {
    draining ??= (async () => {
      try {
        for (;;) {
          const batch = await options.store.peek(currentBatch);
          if (batch.length === 0 || state.fatal) break;
          const outcome = await options
            .send(batch)
            .catch((error: unknown): SendOutcome => ({ kind: 'retry', reason: String(error) }));
          if (outcome.kind === 'fatal') {
            state.fatal = outcome.reason;
            break;
          }
          if (outcome.kind === 'split') {
            if (batch.length === 1) await options.store.remove([batch[0]?.eventId ?? '']);
            currentBatch = Math.max(1, Math.floor(batch.length / 2));
            continue;
          }
          if (outcome.kind === 'retry') {
            failures += 1;
            state.retrying = true;
            state.lastError = outcome.reason;
            // Exponential backoff with full jitter, so reconnecting candidates do not stampede.
            schedule(Math.min(maxBackoffMs, 500 * 2 ** Math.min(failures, 10)) * (0.5 + random() / 2));
            break;
          }
          failures = 0;
          state.retrying = false;
          state.lastError = null;
          await options.store.remove(outcome.done);
        }
      } finally {
        draining = undefined;
        await publish();
      }
    })();
    return draining;
  }

  return {
    async enqueue(events: ClientEvent[]): Promise<void> {
      await options.store.put(events);
      await publish();
      schedule(lingerMs);
    },
    /** Sends now (e.g. when the network comes back). */
    flush: drain,
    /** At the end of the interview: keep sending until empty, the server refuses, or the deadline passes. */
    async flushAll(deadlineMs = 15_000): Promise<number> {
      const deadline = Date.now() + deadlineMs;
      while (Date.now() < deadline && !state.fatal) {
        clearTimeout(timer);
        timer = undefined;
        await drain();
        if ((await options.store.count()) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return options.store.count();
    },
    state: () => ({ ...state }),
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;

/** Turns POST /api/logs answers into outbox outcomes: what to drop, what to keep for later. */
export async function sendToIngestion(
  url: string,
  token: string,
  sessionId: string,
  events: ClientEvent[],
): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ sessionId, events }),
      keepalive: events.length < 50,
    });
  } catch (error) {
    return { kind: 'retry', reason: `network: ${String(error)}` };
  }
  if (res.status === 401 || res.status === 403) {
    return {
      kind: 'fatal',
      reason:
        'Your session link is no longer valid; events cannot be sent. Ask the interviewer for a new link.',
    };
  }
  if (res.status === 413) return { kind: 'split' };
  if (res.status >= 500 || res.status === 429 || res.status === 408)
    return { kind: 'retry', reason: `server answered ${res.status}` };
  // 200: accepted and rejected are both done (a rejected event will never become valid); 400: no event of
  // the batch is valid, ever. Either way they leave the outbox.
  return { kind: 'sent', done: events.map((e) => e.eventId) };
}
