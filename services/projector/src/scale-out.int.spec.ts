import { newEventId } from '@proctor/domain';
import { eventually } from '@proctor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPipeline, type TestPipeline } from './testing.ts';

// Several instances of ingestion, event store and projector on the same topics and consumer groups; instances
// are stopped and added while interviews keep posting. Counts afterwards prove that no accepted event was
// lost or stored twice, and that both read models hold each exactly once.

const ORG = 'org-scale';
const SESSIONS = 12;
const BATCHES_PER_SESSION = 25;
const EVENTS_PER_BATCH = 8;

let pipe: TestPipeline;
beforeAll(async () => {
  pipe = await startTestPipeline('scale');
});
afterAll(() => pipe?.close());

type Service = { close(): Promise<void> };
type Ingestion = Awaited<ReturnType<TestPipeline['addIngestion']>>;

describe('horizontal scale-out on the real stack', () => {
  it('loses nothing and stores nothing twice while instances of every service stop and start under load', async () => {
    const ingestions: Ingestion[] = [pipe.ingestion, await pipe.addIngestion()];
    const stores: Service[] = [pipe.store, await pipe.addStore()];
    const projectors: Service[] = [pipe.projector, await pipe.addProjector()];
    const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => pipe.createSession(ORG)));

    // Clients post to whichever ingestion instance answers (as behind a load balancer) and retry on failure.
    const accepted = new Map<string, number>();
    let turn = 0;
    async function post(sessionId: string, events: unknown[]): Promise<void> {
      const token = await pipe.tokens.issue({
        subject: `c-${sessionId}`,
        role: 'candidate',
        orgId: ORG,
        sessionId,
      });
      for (let attempt = 0; ; attempt++) {
        const live = ingestions.filter((i) => !(i as { stopped?: boolean }).stopped);
        const target = live[turn++ % live.length] as Ingestion;
        const res = await fetch(`${target.url.replace('[::1]', '127.0.0.1')}/api/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ sessionId, events }),
        }).catch(() => null);
        if (res?.ok) return;
        if (res && res.status < 500) throw new Error(`POST rejected: ${res.status} ${await res.text()}`);
        if (attempt > 20) throw new Error(`POST kept failing (${res?.status})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    const load = Promise.all(
      sessions.map(async (sessionId, s) => {
        let seq = 0;
        for (let b = 0; b < BATCHES_PER_SESSION; b++) {
          const events = Array.from({ length: EVENTS_PER_BATCH }, () => ({
            eventId: newEventId(),
            sessionId,
            producerId: `tab-${s}`,
            producerSeq: String(++seq),
            occurredAt: new Date().toISOString(),
            clipboardPasted: { length: seq },
          }));
          await post(sessionId, events);
          accepted.set(sessionId, (accepted.get(sessionId) ?? 0) + events.length);
          // A client that did not hear the answer re-sends the same batch: it must count once.
          if (b % 10 === 3) await post(sessionId, events);
          await new Promise((r) => setTimeout(r, 40));
        }
      }),
    );

    // Under load: a store, a projector and an ingestion instance stop; new ones join the groups.
    const churn = (async () => {
      const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
      await wait(1500);
      await stores.splice(1, 1)[0]?.close();
      await wait(1000);
      stores.push(await pipe.addStore());
      await wait(1000);
      await projectors.splice(1, 1)[0]?.close();
      await wait(1000);
      projectors.push(await pipe.addProjector());
      const leaving = ingestions[1] as Ingestion & { stopped?: boolean };
      leaving.stopped = true;
      await leaving.close();
      ingestions.push(await pipe.addIngestion());
    })();
    await Promise.all([load, churn]);

    const expected = [...accepted.values()].reduce((a, b) => a + b, 0);
    expect(expected).toBe(SESSIONS * BATCHES_PER_SESSION * EVENTS_PER_BATCH);
    const store = await pipe.addStore(); // a fresh reader of the same store database
    stores.push(store);
    await eventually(
      async () => {
        for (const sessionId of sessions) {
          const stored = await (store as Awaited<ReturnType<TestPipeline['addStore']>>).store.readSession(
            sessionId,
          );
          // sessionCreated + every accepted client event, each once, numbered 1..n without a gap.
          expect(stored.length).toBe((accepted.get(sessionId) ?? 0) + 1);
          expect(new Set(stored.map((s) => s.event?.eventId)).size).toBe(stored.length);
          expect(stored.map((s) => Number(s.sessionSeq))).toEqual(stored.map((_, i) => i + 1));
        }
      },
      90_000,
      1_000,
    );
    const projector = projectors.at(-1) as Awaited<ReturnType<TestPipeline['addProjector']>>;
    await eventually(
      async () => {
        for (const sessionId of sessions) {
          const view = await projector.sessions.get(sessionId);
          expect(view?.eventCount).toBe((accepted.get(sessionId) ?? 0) + 1);
          expect(view?.flags.filter((f) => f.kind === 'CLIPBOARD_PASTED').length).toBe(
            accepted.get(sessionId),
          );
        }
        const result = await projector.analytics.client.query({
          query:
            'SELECT count() AS n, uniqExact(event_id) AS unique FROM events_v1 FINAL WHERE session_id IN {ids: Array(String)}',
          query_params: { ids: sessions },
          format: 'JSONEachRow',
        });
        const [row] = await result.json<{ n: string; unique: string }>();
        expect(Number(row?.n)).toBe(expected + SESSIONS);
        expect(Number(row?.unique)).toBe(expected + SESSIONS);
      },
      90_000,
      1_000,
    );
    for (const service of [...ingestions.slice(2), ...stores, ...projectors])
      if (service !== pipe.store && service !== pipe.projector && service !== pipe.ingestion)
        await service.close();
  });
});
