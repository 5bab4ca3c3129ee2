import { buildReport, newEventId, type SessionView } from '@proctor/domain';
import { createEventStoreApp } from '@proctor/event-store/app';
import { createLogger } from '@proctor/kernel';
import { connectNats, subscribeAlerts } from '@proctor/pipeline';
import { eventually, stackValue, uniqueName } from '@proctor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from './replay.ts';
import { startTestPipeline, type TestPipeline } from './testing.ts';

let pipe: TestPipeline;
const ORG = 'org-acme';

beforeAll(async () => {
  pipe = await startTestPipeline('pipeline');
});
afterAll(() => pipe?.close());

const candidateToken = (sessionId: string, orgId = ORG) =>
  pipe.tokens.issue({ subject: `cand-${sessionId}`, role: 'candidate', orgId, sessionId });

async function postLogs(token: string, body: unknown) {
  const res = await fetch(`${pipe.ingestionUrl}/api/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

let producerSeq = 0;
const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
function clientEvent(sessionId: string, secondsAgo: number, payload: Record<string, unknown>) {
  producerSeq += 1;
  return {
    eventId: newEventId(),
    sessionId,
    producerId: 'tab-1',
    producerSeq: String(producerSeq),
    occurredAt: at(secondsAgo),
    ...payload,
  };
}

/** The seed interview's flags: 3 focus losses, 1 absence, 1 phone. */
function seedEvents(sessionId: string) {
  const events = [];
  for (const [i, ago] of [300, 200, 100].entries()) {
    events.push(
      clientEvent(sessionId, ago, {
        lookingAway: { phase: 'PHASE_START', episodeId: `away-${i}`, yawDeg: 38 },
      }),
    );
    events.push(
      clientEvent(sessionId, ago - 7, {
        lookingAway: { phase: 'PHASE_END', episodeId: `away-${i}`, durationMs: '7000' },
      }),
    );
  }
  events.push(clientEvent(sessionId, 90, { faceAbsent: { phase: 'PHASE_START', episodeId: 'absent-1' } }));
  events.push(
    clientEvent(sessionId, 75, {
      faceAbsent: { phase: 'PHASE_END', episodeId: 'absent-1', durationMs: '15000' },
    }),
  );
  events.push(
    clientEvent(sessionId, 60, {
      objectDetected: {
        phase: 'PHASE_START',
        episodeId: 'phone-1',
        objectClass: 'OBJECT_CLASS_PHONE',
        label: 'cell phone',
        confidence: 0.8,
      },
    }),
  );
  events.push(
    clientEvent(sessionId, 50, {
      objectDetected: { phase: 'PHASE_END', episodeId: 'phone-1', objectClass: 'OBJECT_CLASS_PHONE' },
    }),
  );
  return events;
}

async function startedSession() {
  const sessionId = await pipe.createSession(ORG);
  await pipe.system(sessionId, ORG, { case: 'sessionStarted', value: {} }, new Date(Date.now() - 400_000));
  await eventually(async () => expect((await pipe.projector.sessions.get(sessionId))?.status).toBe('live'));
  return sessionId;
}

const session = (id: string) => pipe.projector.sessions.get(id) as Promise<SessionView>;

describe('the event pipeline on the real stack', () => {
  it('takes an interview from POST /api/logs to the Mongo report and ClickHouse analytics', async () => {
    const sessionId = await startedSession();
    const token = await candidateToken(sessionId);
    const posted = await postLogs(token, { sessionId, events: seedEvents(sessionId) });
    expect(posted).toMatchObject({ status: 200, body: { accepted: 10, rejected: [] } });

    // The interviewer ends it (the gateway's command: services/gateway/src/interviews.ts publishes this event).
    await pipe.system(sessionId, ORG, { case: 'sessionEnded', value: { reason: 'ended by interviewer' } });
    await eventually(async () => expect((await session(sessionId)).status).toBe('ended'));
    // The report as the gateway serves it (GET /api/reports/:id, GraphQL) is built from this read model.
    const report = buildReport(await session(sessionId), new Date());
    expect(report).toMatchObject({
      sessionId,
      candidate: { name: 'John Doe' },
      focusLost: 3,
      absences: 1,
      multipleFaces: 0,
      objects: [{ kind: 'PHONE', count: 1 }],
      integrity: { score: 92, policyVersion: 'integrity-v1' },
      status: 'ended',
    });
    expect(report.durationMs).toBeGreaterThan(390_000);

    const ch = pipe.projector.analytics.client;
    await eventually(async () => {
      const rows = await (
        await ch.query({
          query:
            'SELECT kind, count() AS n FROM events_v1 FINAL WHERE session_id = {id:String} GROUP BY kind ORDER BY kind',
          query_params: { id: sessionId },
          format: 'JSONEachRow',
        })
      ).json();
      expect(rows).toEqual([
        { kind: 'faceAbsent', n: '2' },
        { kind: 'lookingAway', n: '6' },
        { kind: 'objectDetected', n: '2' },
        { kind: 'sessionCreated', n: '1' },
        { kind: 'sessionEnded', n: '1' },
        { kind: 'sessionStarted', n: '1' },
      ]);
      const [summary] = await (
        await ch.query({
          query:
            'SELECT status, score, focus_lost, absences, objects FROM sessions_v1 FINAL WHERE session_id = {id:String}',
          query_params: { id: sessionId },
          format: 'JSONEachRow',
        })
      ).json();
      expect(summary).toEqual({ status: 'ended', score: 92, focus_lost: 3, absences: 1, objects: 1 });
    });
  });

  it('stores a re-sent batch once and counts it once', async () => {
    const sessionId = await startedSession();
    const token = await candidateToken(sessionId);
    const events = seedEvents(sessionId);
    expect((await postLogs(token, { sessionId, events })).status).toBe(200);
    expect(
      (await postLogs(token, { sessionId, events: [...events.slice(0, 3), ...events.slice(0, 3)] })).status,
    ).toBe(200);
    await eventually(async () => expect((await session(sessionId)).flags).toHaveLength(5));
    // Wait for every copy to pass through, then check nothing was counted twice.
    await eventually(async () => expect(await pipe.store.store.count({ sessionId })).toBe(12));
    await new Promise((r) => setTimeout(r, 500));
    expect(await pipe.store.store.count({ sessionId })).toBe(12);
    const view = await session(sessionId);
    expect(view.eventsByKind).toMatchObject({ lookingAway: 6, faceAbsent: 2, objectDetected: 2 });
    expect(view.eventCount).toBe(12);
  });

  it('pairs an END that arrives before its START into one flag', async () => {
    const sessionId = await startedSession();
    const token = await candidateToken(sessionId);
    const start = clientEvent(sessionId, 30, {
      multipleFaces: { phase: 'PHASE_START', episodeId: 'm-1', faceCount: 2 },
    });
    const end = clientEvent(sessionId, 20, {
      multipleFaces: { phase: 'PHASE_END', episodeId: 'm-1', faceCount: 2, durationMs: '10000' },
    });
    await postLogs(token, { sessionId, events: [end] });
    await postLogs(token, { sessionId, events: [start] });
    await eventually(async () => {
      const view = await session(sessionId);
      expect(view.flags).toHaveLength(1);
      expect(view.flags[0]).toMatchObject({
        kind: 'MULTIPLE_FACES',
        durationMs: 10_000,
        endedAt: end.occurredAt,
      });
    });
  });

  it('loses nothing and duplicates nothing when the store re-reads events it already appended (a crash before the commit)', async () => {
    const sessionId = await startedSession();
    const token = await candidateToken(sessionId);
    await postLogs(token, { sessionId, events: seedEvents(sessionId) });
    await eventually(async () => expect(await pipe.store.store.count({ sessionId })).toBe(12));
    // The read model has caught up with all 12 before it is compared with itself after the re-read.
    await eventually(async () => expect((await session(sessionId)).eventCount).toBe(12));
    const before = await session(sessionId);
    // A second store on the same database and topic with no committed offsets: it sees every event again,
    // exactly as a store that crashed after appending and before committing would.
    const again = await createEventStoreApp(
      {
        KAFKA_BROKERS: stackValue('KAFKA_BROKERS').split(','),
        KAFKA_TOPIC_PREFIX: `${pipe.ns}_`,
        MONGO_URL: stackValue('MONGO_URL'),
        EVENT_STORE_DB: `${pipe.ns}_eventstore`,
        EVENT_STORE_GROUP: uniqueName('crashed'),
        EVENT_STORE_HOST: '127.0.0.1',
        EVENT_STORE_PORT: 0,
        LOG_LEVEL: 'silent',
      },
      createLogger('again', 'silent'),
    );
    try {
      const everything = await pipe.store.store.count();
      await eventually(() => expect(again.handled()).toBeGreaterThanOrEqual(everything));
      expect(again.appended()).toBe(0);
    } finally {
      await again.close();
    }
    expect(await pipe.store.store.count({ sessionId })).toBe(12);
    const after = await session(sessionId);
    expect(after.flags).toEqual(before.flags);
    expect(after.eventCount).toBe(before.eventCount);
  });

  it('rejects malformed, oversized, wrong-session and unauthenticated input and stores none of it', async () => {
    const sessionId = await startedSession();
    const token = await candidateToken(sessionId);
    const good = clientEvent(sessionId, 5, { tabHidden: { phase: 'PHASE_START', episodeId: 't-1' } });

    const noToken = await fetch(`${pipe.ingestionUrl}/api/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(401);
    expect((await postLogs('not-a-token', { sessionId, events: [good] })).status).toBe(401);
    const foreign = await postLogs(await candidateToken('another-session'), { sessionId, events: [good] });
    expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await postLogs(token, '{"sessionId": "x", "events": [')).status).toBe(400);
    expect((await postLogs(token, { sessionId, events: 'none' })).body.error.code).toBe('BAD_USER_INPUT');
    const huge = await postLogs(token, { sessionId, events: [good], padding: 'x'.repeat(3 * 1024 * 1024) });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    const tooMany = await postLogs(token, { sessionId, events: Array.from({ length: 501 }, () => good) });
    expect(tooMany.status).toBe(413);
    const allBad = await postLogs(token, {
      sessionId,
      events: [
        { ...good, eventId: newEventId(), sessionId: 'other' },
        { ...good, eventId: newEventId(), occurredAt: new Date(Date.now() + 3600_000).toISOString() },
        { ...good, eventId: newEventId(), tabHidden: undefined, teleport: {} },
      ],
    });
    expect(allBad.status).toBe(400);
    expect(allBad.body.error.details.map((p: { code: string }) => p.code)).toEqual([
      'WRONG_SESSION',
      'FUTURE_DATED',
      'UNKNOWN_TYPE',
    ]);

    // A mixed batch keeps the valid event and names the invalid one.
    const mixed = await postLogs(token, { sessionId, events: [good, { ...good, eventId: 'nope' }] });
    expect(mixed).toMatchObject({
      status: 200,
      body: { accepted: 1, rejected: [{ index: 1, code: 'MALFORMED' }] },
    });
    await eventually(async () => expect(await pipe.store.store.count({ sessionId })).toBe(3));
    const kinds = (await pipe.store.store.readSession(sessionId)).map((s) => s.event?.payload.case);
    expect(kinds).toEqual(['sessionCreated', 'sessionStarted', 'tabHidden']);
  });

  it('publishes a live alert on NATS when an event is posted', async () => {
    const sessionId = await startedSession();
    const nc = await connectNats(stackValue('NATS_URL'), 'alert-test', createLogger('t', 'silent'));
    try {
      const { alerts, subscription } = subscribeAlerts(nc, ORG, sessionId);
      await nc.flush();
      const event = clientEvent(sessionId, 1, {
        objectDetected: {
          phase: 'PHASE_START',
          episodeId: 'p',
          objectClass: 'OBJECT_CLASS_PHONE',
          confidence: 0.9,
        },
      });
      await postLogs(await candidateToken(sessionId), { sessionId, events: [event] });
      for await (const alert of alerts) {
        expect(alert).toMatchObject({
          eventId: event.eventId,
          sessionId,
          orgId: ORG,
          kind: 'objectDetected',
          phase: 'START',
          source: 'browser',
        });
        break;
      }
      subscription.unsubscribe();
    } finally {
      await nc.close();
    }
  });

  it('replay rebuilds both read models from the store to the same result', async () => {
    const sessionId = await startedSession();
    await postLogs(await candidateToken(sessionId), { sessionId, events: seedEvents(sessionId) });
    await eventually(async () => expect((await session(sessionId)).flags).toHaveLength(5));
    await eventually(async () => expect(await pipe.store.store.count()).toBe(await countAnalyticsEvents()));
    const before = { view: await session(sessionId), analytics: await analyticsSnapshot() };
    const replayed = await replay(
      pipe.projector.store,
      pipe.projector.projections,
      createLogger('replay', 'silent'),
    );
    expect(replayed).toBe(await pipe.store.store.count());
    expect(await session(sessionId)).toEqual(before.view);
    expect(await analyticsSnapshot()).toEqual(before.analytics);
  });
});

async function countAnalyticsEvents(): Promise<number> {
  const [row] = await (
    await pipe.projector.analytics.client.query({
      query: 'SELECT count() AS n FROM events_v1 FINAL',
      format: 'JSONEachRow',
    })
  ).json<{ n: string }>();
  return Number(row?.n);
}

async function analyticsSnapshot() {
  const ch = pipe.projector.analytics.client;
  const events = await (
    await ch.query({ query: 'SELECT * FROM events_v1 FINAL ORDER BY global_position', format: 'JSONEachRow' })
  ).json();
  const sessions = await (
    await ch.query({ query: 'SELECT * FROM sessions_v1 FINAL ORDER BY session_id', format: 'JSONEachRow' })
  ).json();
  return { events, sessions };
}
