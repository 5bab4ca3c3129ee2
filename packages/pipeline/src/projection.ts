import { evolveSession, initialSession, type SessionView, type StoredEvent } from '@proctor/domain';

/** Where a projection keeps its session views: load some, save the changed ones. One per technology. */
export interface SessionViewStore {
  load(sessionIds: string[]): Promise<Map<string, SessionView>>;
  /** Saves views; `previousSeq` is each view's checkpoint when loaded, so a concurrent writer is detected. */
  save(views: { view: SessionView; previousSeq: number }[]): Promise<void>;
}

/**
 * Applies a batch of stored events to the session views of one store. Events of one session are applied
 * in sequence order; views whose checkpoint is already past an event ignore it (redelivery, replay).
 */
export async function projectSessions(store: SessionViewStore, batch: StoredEvent[]): Promise<SessionView[]> {
  const bySession = new Map<string, StoredEvent[]>();
  for (const stored of batch) {
    const sessionId = stored.event?.sessionId;
    if (!sessionId) continue;
    const list = bySession.get(sessionId) ?? [];
    list.push(stored);
    bySession.set(sessionId, list);
  }
  if (bySession.size === 0) return [];
  const loaded = await store.load([...bySession.keys()]);
  const changed: { view: SessionView; previousSeq: number }[] = [];
  for (const [sessionId, events] of bySession) {
    const before = loaded.get(sessionId) ?? initialSession(sessionId);
    events.sort((a, b) => Number(a.sessionSeq - b.sessionSeq));
    const after = events.reduce(evolveSession, before);
    if (after !== before) changed.push({ view: after, previousSeq: before.lastSeq });
  }
  if (changed.length > 0) await store.save(changed);
  return changed.map((c) => c.view);
}
