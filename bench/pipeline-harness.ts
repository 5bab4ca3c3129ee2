import { type ChildProcess, spawn } from 'node:child_process';
import { createClient } from '@clickhouse/client';
import { createTokenService } from '@proctor/auth';
import { systemEvent } from '@proctor/domain';
import { createLogger } from '@proctor/kernel';
import { createKafka, createProducer, sendEvents, topicsFor } from '@proctor/pipeline';
import { readStackEnv, uniqueName } from '@proctor/testkit';
import { MongoClient } from 'mongodb';

/**
 * What the pipeline benchmarks share: ingestion, event-store and projector started as separate processes on
 * their own topics and databases (the running stack's servers), and a tracker of how long a POSTed event
 * takes to show in the Mongo read model and in ClickHouse.
 */

const root = new URL('../', import.meta.url).pathname;
export const log = (message: string) => console.error(`[bench] ${message}`);

export async function startPipeline(name: string, ports = { ingestion: 4191, store: 4192, projector: 4193 }) {
  const stack: Record<string, string> = { ...readStackEnv(), ...(process.env as Record<string, string>) };
  const need = (key: string): string => {
    const value = stack[key];
    if (value === undefined) throw new Error(`${key} is not set (deploy/stack.env)`);
    return value;
  };
  const ns = uniqueName(name);
  const env = {
    ...stack,
    KAFKA_TOPIC_PREFIX: `${ns}_`,
    MONGO_DB: `${ns}_proctor`,
    EVENT_STORE_DB: `${ns}_eventstore`,
    EVENT_STORE_GROUP: `${ns}_store`,
    PROJECTOR_GROUP_SUFFIX: `_${ns}`,
    CLICKHOUSE_DATABASE: `${ns}_analytics`,
    INGESTION_PORT: String(ports.ingestion),
    EVENT_STORE_PORT: String(ports.store),
    PROJECTOR_PORT: String(ports.projector),
    LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'warn',
  };
  const start = (service: string): ChildProcess => {
    const child = spawn('node', ['--import', 'tsx', `services/${service}/src/index.ts`], {
      cwd: root,
      env,
      stdio: ['ignore', process.env.BENCH_SERVICE_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
    });
    child.on('exit', (code) => {
      if (code !== null && code !== 0) log(`${service} exited with ${code}`);
    });
    return child;
  };
  const children = ['event-store', 'projector', 'ingestion'].map(start);
  const stop = () => {
    for (const c of children) c.kill('SIGTERM');
  };
  process.on('exit', stop);
  const waitReady = async (port: string) => {
    for (let i = 0; i < 240; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`service on :${port} did not become ready`);
  };
  log(`namespace ${ns}: starting ingestion, event-store, projector`);
  await Promise.all([
    waitReady(env.INGESTION_PORT),
    waitReady(env.EVENT_STORE_PORT),
    waitReady(env.PROJECTOR_PORT),
  ]);

  const kafka = createKafka(need('KAFKA_BROKERS').split(','), 'bench', createLogger('bench', 'warn'));
  const producer = await createProducer(kafka);
  const topics = topicsFor(env.KAFKA_TOPIC_PREFIX);
  const mongo = await MongoClient.connect(need('MONGO_URL'));
  const views = mongo.db(env.MONGO_DB).collection<{ _id: string; eventCount: number }>('sessions');
  const clickhouse = createClient({
    url: need('CLICKHOUSE_URL'),
    username: stack.CLICKHOUSE_USER,
    password: stack.CLICKHOUSE_PASSWORD,
    database: env.CLICKHOUSE_DATABASE,
  });

  return {
    ns,
    stack,
    ingestionUrl: `http://127.0.0.1:${env.INGESTION_PORT}`,
    tokens: createTokenService(need('TOKEN_SECRET')),
    producer,
    topics,
    views,
    clickhouse,
    /** Creates the interviews (as the gateway does) and waits until the read model has them all. */
    async createSessions(orgId: string, ids: string[]) {
      for (let i = 0; i < ids.length; i += 500)
        await sendEvents(
          producer,
          topics,
          ids.slice(i, i + 500).map((id) =>
            systemEvent(id, orgId, {
              case: 'sessionCreated',
              value: { candidateName: id, title: 'bench' },
            }),
          ),
        );
      while ((await views.countDocuments()) < ids.length) await new Promise((r) => setTimeout(r, 200));
    },
    async close() {
      await producer.disconnect();
      await clickhouse.close();
      await mongo.close();
      stop();
    },
  };
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/**
 * Projection lag: after a POST is answered, how long until a session's event count reaches what it should be,
 * in Mongo and in ClickHouse. Polls both read models for the sessions with pending samples.
 */
export function trackLag(pipe: Pipeline) {
  const pending = { mongo: [] as Sample[], clickhouse: [] as Sample[] };
  const lag = { mongo: [] as number[], clickhouse: [] as number[] };
  let running = true;
  const settle = (which: 'mongo' | 'clickhouse', counts: Map<string, number>) => {
    const now = performance.now();
    const list = pending[which];
    for (let i = list.length - 1; i >= 0; i--) {
      const p = list[i];
      if (p && (counts.get(p.session) ?? 0) >= p.count) {
        lag[which].push(now - p.at);
        list.splice(i, 1);
      }
    }
  };
  const sessionsOf = (list: Sample[]) => [...new Set(list.map((p) => p.session))];
  const poller = (async () => {
    while (running || pending.mongo.length || pending.clickhouse.length) {
      if (pending.mongo.length) {
        const docs = await pipe.views
          .find({ _id: { $in: sessionsOf(pending.mongo) } }, { projection: { eventCount: 1 } })
          .toArray();
        settle('mongo', new Map(docs.map((d) => [d._id, d.eventCount])));
      }
      if (pending.clickhouse.length) {
        const rows = await (
          await pipe.clickhouse.query({
            query:
              'SELECT session_id, count() AS n FROM events_v1 WHERE session_id IN {ids: Array(String)} GROUP BY session_id',
            query_params: { ids: sessionsOf(pending.clickhouse) },
            format: 'JSONEachRow',
          })
        ).json<{ session_id: string; n: string }>();
        settle('clickhouse', new Map(rows.map((r) => [r.session_id, Number(r.n)])));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    lag,
    /** After a POST answered at `at`, `session` should hold `count` events in both read models. */
    expect(session: string, count: number, at: number) {
      pending.mongo.push({ session, count, at });
      pending.clickhouse.push({ session, count, at });
    },
    /**
     * Stops sampling and waits until every pending sample has landed, or `maxMs`: samples still pending then
     * count with the time waited so far (a lower bound of their lag).
     */
    async drain(maxMs = Number.POSITIVE_INFINITY) {
      running = false;
      const timedOut = await Promise.race([
        poller.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), Math.min(maxMs, 2 ** 31 - 1))),
      ]);
      if (!timedOut) return;
      const now = performance.now();
      for (const which of ['mongo', 'clickhouse'] as const) {
        for (const p of pending[which]) lag[which].push(now - p.at);
        pending[which].length = 0;
      }
      await poller;
    },
  };
}

interface Sample {
  session: string;
  count: number;
  at: number;
}
