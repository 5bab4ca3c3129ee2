/**
 * bench/ingest: sustained events/s from HTTP to both projections, projection lag and alert latency.
 *
 *   pnpm --filter @proctor/bench ingest [--sessions 40] [--seconds 20] [--batch 100]
 *
 * Starts ingestion, event-store and projector as separate processes on their own topics and databases
 * (the running stack's servers), drives N simulated interviews posting batches over keep-alive HTTP, and
 * measures: accepted events/s; POST latency; lag from a POST's answer to its events being visible in the
 * Mongo read model and in ClickHouse; alert latency from the start of a POST to the NATS alert.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { createTokenService } from '@proctor/auth';
import { newEventId, systemEvent } from '@proctor/domain';
import { createLogger } from '@proctor/kernel';
import { createKafka, createProducer, sendEvents, topicsFor } from '@proctor/pipeline';
import { readStackEnv, uniqueName } from '@proctor/testkit';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { machine, percentile } from '../machine.ts';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '100' },
  },
});
const SESSIONS = Number(args.sessions);
const SECONDS = Number(args.seconds);
const BATCH = Number(args.batch);
const ORG = 'bench';
const root = new URL('../../', import.meta.url).pathname;
const stack: Record<string, string> = { ...readStackEnv(), ...(process.env as Record<string, string>) };
const need = (name: string): string => {
  const value = stack[name];
  if (value === undefined) throw new Error(`${name} is not set (deploy/stack.env)`);
  return value;
};
const ns = uniqueName('bench');
const env = {
  ...stack,
  KAFKA_TOPIC_PREFIX: `${ns}_`,
  MONGO_DB: `${ns}_proctor`,
  EVENT_STORE_DB: `${ns}_eventstore`,
  EVENT_STORE_GROUP: `${ns}_store`,
  PROJECTOR_GROUP_SUFFIX: `_${ns}`,
  CLICKHOUSE_DATABASE: `${ns}_analytics`,
  INGESTION_PORT: '4191',
  EVENT_STORE_PORT: '4192',
  PROJECTOR_PORT: '4193',
  LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'warn',
};
const log = (message: string) => console.error(`[bench] ${message}`);

function start(name: string): ChildProcess {
  const child = spawn('node', ['--import', 'tsx', `services/${name}/src/index.ts`], {
    cwd: root,
    env,
    stdio: ['ignore', process.env.BENCH_SERVICE_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
  });
  child.on('exit', (code) => {
    if (code !== null && code !== 0) log(`${name} exited with ${code}`);
  });
  return child;
}

async function waitReady(port: string) {
  for (let i = 0; i < 240; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`service on :${port} did not become ready`);
}

const children = ['event-store', 'projector', 'ingestion'].map(start);
const stopAll = () => {
  for (const c of children) c.kill('SIGTERM');
};
process.on('exit', stopAll);

try {
  log(`namespace ${ns}: starting ingestion, event-store, projector`);
  await Promise.all([
    waitReady(env.INGESTION_PORT),
    waitReady(env.EVENT_STORE_PORT),
    waitReady(env.PROJECTOR_PORT),
  ]);
  const logger = createLogger('bench', 'warn');
  const kafka = createKafka(need('KAFKA_BROKERS').split(','), 'bench', logger);
  const producer = await createProducer(kafka);
  const topics = topicsFor(env.KAFKA_TOPIC_PREFIX);
  const tokens = createTokenService(need('TOKEN_SECRET'));
  const sessions = Array.from({ length: SESSIONS }, (_, i) => `${ns}-s${i}`);
  await sendEvents(
    producer,
    topics,
    sessions.map((id) =>
      systemEvent(id, ORG, { case: 'sessionCreated', value: { candidateName: id, title: 'bench' } }),
    ),
  );
  const mongo = await MongoClient.connect(need('MONGO_URL'));
  const views = mongo.db(env.MONGO_DB).collection<{ _id: string; eventCount: number }>('sessions');
  for (;;) {
    if ((await views.countDocuments()) >= SESSIONS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const ch = createClient({
    url: stack.CLICKHOUSE_URL,
    username: stack.CLICKHOUSE_USER,
    password: stack.CLICKHOUSE_PASSWORD,
    database: env.CLICKHOUSE_DATABASE,
  });

  // Alerts: the time from the start of a POST to the NATS message for its first event.
  const nc = await connect({ servers: stack.NATS_URL });
  const postStarted = new Map<string, number>();
  const alertMs: number[] = [];
  const alertSub = nc.subscribe(`proctor.alerts.v1.${ORG}.>`);
  void (async () => {
    for await (const m of alertSub) {
      const t = postStarted.get((m.json() as { eventId: string }).eventId);
      if (t !== undefined) alertMs.push(performance.now() - t);
    }
  })();

  // Lag samples: (session, events expected after this POST, time the POST was answered).
  const pendingMongo: { session: string; count: number; at: number }[] = [];
  const pendingCh: { session: string; count: number; at: number }[] = [];
  const mongoLag: number[] = [];
  const chLag: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling || pendingMongo.length || pendingCh.length) {
      if (pendingMongo.length) {
        const docs = await views
          .find(
            { _id: { $in: [...new Set(pendingMongo.map((p) => p.session))] } },
            { projection: { eventCount: 1 } },
          )
          .toArray();
        const counts = new Map(docs.map((d) => [d._id, d.eventCount]));
        const now = performance.now();
        for (let i = pendingMongo.length - 1; i >= 0; i--) {
          const p = pendingMongo[i];
          if (p && (counts.get(p.session) ?? 0) >= p.count) {
            mongoLag.push(now - p.at);
            pendingMongo.splice(i, 1);
          }
        }
      }
      if (pendingCh.length) {
        const rows = await (
          await ch.query({
            query:
              'SELECT session_id, count() AS n FROM events_v1 WHERE session_id IN {ids: Array(String)} GROUP BY session_id',
            query_params: { ids: [...new Set(pendingCh.map((p) => p.session))] },
            format: 'JSONEachRow',
          })
        ).json<{ session_id: string; n: string }>();
        const counts = new Map(rows.map((r) => [r.session_id, Number(r.n)]));
        const now = performance.now();
        for (let i = pendingCh.length - 1; i >= 0; i--) {
          const p = pendingCh[i];
          if (p && (counts.get(p.session) ?? 0) >= p.count) {
            chLag.push(now - p.at);
            pendingCh.splice(i, 1);
          }
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  // Each simulated interview posts its batches one after another, like an outbox does.
  const postMs: number[] = [];
  let accepted = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    sessions.map(async (session, s) => {
      const token = await tokens.issue({
        subject: session,
        role: 'candidate',
        orgId: ORG,
        sessionId: session,
      });
      let seq = 0;
      let count = 1; // sessionCreated
      let batchNo = 0;
      while (performance.now() < deadline) {
        const events = Array.from({ length: BATCH }, (_, i) => {
          seq += 1;
          const kind = i % 4;
          const episode = `e-${s}-${Math.floor(seq / 2)}`;
          const payload =
            kind === 0
              ? { lookingAway: { phase: 'PHASE_START', episodeId: episode, yawDeg: 35 } }
              : kind === 1
                ? { lookingAway: { phase: 'PHASE_END', episodeId: episode, durationMs: '6000' } }
                : kind === 2
                  ? {
                      objectDetected: {
                        phase: 'PHASE_START',
                        episodeId: episode,
                        objectClass: 'OBJECT_CLASS_PHONE',
                        confidence: 0.8,
                      },
                    }
                  : {
                      objectDetected: {
                        phase: 'PHASE_END',
                        episodeId: episode,
                        objectClass: 'OBJECT_CLASS_PHONE',
                      },
                    };
          return {
            eventId: newEventId(),
            sessionId: session,
            producerId: `tab-${s}`,
            producerSeq: String(seq),
            occurredAt: new Date().toISOString(),
            ...payload,
          };
        });
        const t0 = performance.now();
        if (batchNo % 5 === 0) postStarted.set(events[0]?.eventId ?? '', t0);
        const res = await fetch(`http://127.0.0.1:${env.INGESTION_PORT}/api/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ sessionId: session, events }),
        });
        const body = (await res.json()) as { accepted?: number };
        const t1 = performance.now();
        postMs.push(t1 - t0);
        accepted += body.accepted ?? 0;
        count += body.accepted ?? 0;
        if (batchNo % 5 === 0) {
          pendingMongo.push({ session, count, at: t1 });
          pendingCh.push({ session, count, at: t1 });
        }
        batchNo += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  log(`load done: ${accepted} events in ${elapsed.toFixed(1)} s; waiting for the projections to catch up`);
  polling = false;
  const drainStart = performance.now();
  await poller;
  const drainSeconds = (performance.now() - drainStart) / 1000;
  alertSub.unsubscribe();

  const ms = (v: number) => Math.round(v);
  const result = {
    machine: machine(),
    params: { sessions: SESSIONS, seconds: SECONDS, batch: BATCH },
    accepted,
    acceptedPerSecond: Math.round(accepted / elapsed),
    postLatencyMs: { p50: ms(percentile(postMs, 50)), p95: ms(percentile(postMs, 95)) },
    mongoLagMs: {
      p50: ms(percentile(mongoLag, 50)),
      p95: ms(percentile(mongoLag, 95)),
      samples: mongoLag.length,
    },
    clickhouseLagMs: {
      p50: ms(percentile(chLag, 50)),
      p95: ms(percentile(chLag, 95)),
      samples: chLag.length,
    },
    alertLatencyMs: {
      p50: Math.round(percentile(alertMs, 50) * 10) / 10,
      p95: Math.round(percentile(alertMs, 95) * 10) / 10,
      samples: alertMs.length,
    },
    drainAfterLoadSeconds: Math.round(drainSeconds * 10) / 10,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    [
      `machine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, node ${result.machine.node}`,
      `ingest: ${result.acceptedPerSecond} events/s accepted (${accepted} events, ${SESSIONS} interviews, batches of ${BATCH}, ${elapsed.toFixed(1)} s)`,
      `POST /api/logs latency: p50 ${result.postLatencyMs.p50} ms, p95 ${result.postLatencyMs.p95} ms`,
      `projection lag (POST answered → visible): Mongo p50 ${result.mongoLagMs.p50} ms, p95 ${result.mongoLagMs.p95} ms; ClickHouse p50 ${result.clickhouseLagMs.p50} ms, p95 ${result.clickhouseLagMs.p95} ms`,
      `alert latency (POST start → NATS): p50 ${result.alertLatencyMs.p50} ms, p95 ${result.alertLatencyMs.p95} ms`,
    ].join('\n'),
  );
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/ingest-${Date.now()}.json`, JSON.stringify(result, null, 2));
  await producer.disconnect();
  await nc.close();
  await ch.close();
  await mongo.close();
} finally {
  stopAll();
}
process.exit(0);
