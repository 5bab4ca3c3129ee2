import type { ClientEvent, OutboxStore } from './outbox.ts';

/** The outbox in IndexedDB, one database per session: survives reloads, crashes and going offline. */
export async function openIdbOutbox(sessionId: string): Promise<OutboxStore> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(`proctor-outbox-${sessionId}`, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore('events', { keyPath: 'eventId' });
      store.createIndex('order', 'order');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  const run = <T>(
    mode: IDBTransactionMode,
    work: (store: IDBObjectStore) => IDBRequest<T> | undefined,
  ): Promise<T | undefined> =>
    new Promise((resolve, reject) => {
      const tx = db.transaction('events', mode);
      const request = work(tx.objectStore('events'));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });

  return {
    async put(events) {
      await run('readwrite', (store) => {
        // Keyed by event id: putting the same event twice keeps one copy.
        for (const event of events) store.put({ ...event, order: Number(event.producerSeq) });
        return undefined;
      });
    },
    async peek(limit) {
      const rows = (await run('readonly', (store) => store.index('order').getAll(null, limit))) ?? [];
      return rows.map(({ order: _order, ...event }: ClientEvent & { order: number }) => event as ClientEvent);
    },
    async remove(eventIds) {
      await run('readwrite', (store) => {
        for (const id of eventIds) store.delete(id);
        return undefined;
      });
    },
    async count() {
      return (await run('readonly', (store) => store.count())) ?? 0;
    },
  };
}

/** An outbox store in memory: for tests of the outbox's logic, and where IndexedDB is unavailable. */
export function memoryOutbox(): OutboxStore & { events: Map<string, ClientEvent> } {
  const events = new Map<string, ClientEvent>();
  return {
    events,
    async put(list) {
      for (const e of list) events.set(e.eventId, e);
    },
    async peek(limit) {
      return [...events.values()]
        .sort((a, b) => Number(a.producerSeq) - Number(b.producerSeq))
        .slice(0, limit);
    },
    async remove(ids) {
      for (const id of ids) events.delete(id);
    },
    async count() {
      return events.size;
    },
  };
}
