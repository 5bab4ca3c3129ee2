import { type ClickHouseClient, createClient } from '@clickhouse/client';
import {
  buildReport,
  type Flag,
  kindOf,
  occurredAtMs,
  phaseOf,
  receivedAtMs,
  type SessionView,
  type StoredEvent,
  sourceName,
} from '@proctor/domain';
import { forCluster } from './clickhouse-ddl.ts';
import type { SessionViewStore } from './projection.ts';

/**
 * ClickHouse analytics: an events fact table and per-session summaries, deduplicated by ReplacingMergeTree
 * (an event id or a session's sequence written twice collapses to one row), plus views an analyst queries.
 * Migrations are numbered and recorded; each runs once per database.
 */
const MIGRATIONS: { id: number; name: string; sql: string[] }[] = [
  {
    id: 1,
    name: 'events and sessions',
    sql: [
      `CREATE TABLE IF NOT EXISTS events_v1 (
        event_id String,
        session_id String,
        org_id LowCardinality(String),
        kind LowCardinality(String),
        phase LowCardinality(String),
        source LowCardinality(String),
        occurred_at DateTime64(3, 'UTC'),
        received_at DateTime64(3, 'UTC'),
        session_seq UInt64,
        global_position UInt64
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(occurred_at)
      ORDER BY (org_id, toDate(occurred_at), session_id, event_id)`,
      `CREATE TABLE IF NOT EXISTS sessions_v1 (
        session_id String,
        org_id LowCardinality(String),
        title String,
        candidate_name String,
        interviewer_id String,
        status LowCardinality(String),
        created_at Nullable(DateTime64(3, 'UTC')),
        started_at Nullable(DateTime64(3, 'UTC')),
        ended_at Nullable(DateTime64(3, 'UTC')),
        duration_ms UInt64,
        score UInt8,
        policy_version LowCardinality(String),
        flags UInt32,
        focus_lost UInt32,
        absences UInt32,
        multiple_faces UInt32,
        objects UInt32,
        disagreements UInt32,
        first_flag_at Nullable(DateTime64(3, 'UTC')),
        flag_kinds Array(LowCardinality(String)),
        last_seq UInt64,
        state String CODEC(ZSTD(3))
      ) ENGINE = ReplacingMergeTree(last_seq)
      ORDER BY (org_id, session_id)`,
    ],
  },
  {
    id: 2,
    name: 'analyst views',
    sql: [
      `CREATE VIEW IF NOT EXISTS events_by_day_v1 AS
        SELECT org_id, toDate(occurred_at) AS day, kind, source, count() AS events
        FROM events_v1 FINAL GROUP BY org_id, day, kind, source`,
      `CREATE VIEW IF NOT EXISTS score_distribution_v1 AS
        SELECT org_id, intDiv(score, 10) * 10 AS bucket, count() AS sessions
        FROM sessions_v1 FINAL WHERE status = 'ended' GROUP BY org_id, bucket`,
      `CREATE VIEW IF NOT EXISTS time_to_first_flag_v1 AS
        SELECT org_id, session_id, dateDiff('millisecond', started_at, first_flag_at) AS ms
        FROM sessions_v1 FINAL WHERE started_at IS NOT NULL AND first_flag_at IS NOT NULL`,
    ],
  },
];

const chTime = (ms: number | string | null) =>
  ms === null ? null : new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

export interface ClickHouseConfig {
  url: string;
  username: string;
  password: string;
  database: string;
  /** A cluster name (CLICKHOUSE_CLUSTER): tables become replicated and sharded, see clickhouse-ddl.ts. */
  cluster?: string;
}

export async function createAnalytics(config: ClickHouseConfig) {
  const admin = createClient({ url: config.url, username: config.username, password: config.password });
  const ddl = (sql: string) => (config.cluster ? forCluster(sql, config.cluster) : [sql]);
  for (const query of ddl(`CREATE DATABASE IF NOT EXISTS ${config.database}`)) await admin.command({ query });
  await admin.close();
  const client: ClickHouseClient = createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
    clickhouse_settings: {
      date_time_input_format: 'best_effort',
      // On a cluster an insert is answered only once its shard has it, so a committed offset means stored.
      ...(config.cluster ? { insert_distributed_sync: 1 } : {}),
    },
  });
  await migrate(client, ddl);

  const store: SessionViewStore = {
    async load(ids) {
      const result = await client.query({
        query: 'SELECT state FROM sessions_v1 FINAL WHERE session_id IN {ids: Array(String)}',
        query_params: { ids },
        format: 'JSONEachRow',
      });
      const rows = await result.json<{ state: string }>();
      const views = rows.map((row) => JSON.parse(row.state) as SessionView);
      return new Map(views.map((view) => [view._id, view]));
    },
    async save(views) {
      // ReplacingMergeTree keeps the row with the highest last_seq: a stale writer cannot win.
      await client.insert({
        table: 'sessions_v1',
        values: views.map(({ view }) => sessionRow(view)),
        format: 'JSONEachRow',
      });
    },
  };

  return {
    store,
    client,
    async insertEvents(batch: StoredEvent[]): Promise<void> {
      const rows = batch.flatMap((stored) => {
        const event = stored.event;
        if (!event) return [];
        return [
          {
            event_id: event.eventId,
            session_id: event.sessionId,
            org_id: event.orgId,
            kind: kindOf(event) ?? 'unknown',
            phase: String(phaseOf(event)),
            source: sourceName(event.source),
            occurred_at: chTime(occurredAtMs(event)),
            received_at: chTime(receivedAtMs(event)),
            session_seq: Number(stored.sessionSeq),
            global_position: Number(stored.globalPosition),
          },
        ];
      });
      if (rows.length > 0) await client.insert({ table: 'events_v1', values: rows, format: 'JSONEachRow' });
    },
    async clear(): Promise<void> {
      // On a cluster the data lives in the replicated local tables, behind the Distributed ones.
      const target = (name: string) =>
        config.cluster ? `${name}_local ON CLUSTER '${config.cluster}'` : name;
      await client.command({ query: `TRUNCATE TABLE IF EXISTS ${target('events_v1')}` });
      await client.command({ query: `TRUNCATE TABLE IF EXISTS ${target('sessions_v1')}` });
    },
    close: () => client.close(),
  };
}

export type Analytics = Awaited<ReturnType<typeof createAnalytics>>;

function sessionRow(view: SessionView) {
  const report = buildReport(view, new Date(view.updatedAt ?? Date.now()));
  const firstFlag = view.flags.reduce<Flag | undefined>(
    (first, f) => (!first || f.startedAt < first.startedAt ? f : first),
    undefined,
  );
  return {
    session_id: view._id,
    org_id: view.orgId,
    title: view.title,
    candidate_name: view.candidateName,
    interviewer_id: view.interviewerId,
    status: view.status,
    created_at: chTime(view.createdAt),
    started_at: chTime(view.startedAt),
    ended_at: chTime(view.endedAt),
    duration_ms: report.durationMs,
    score: report.integrity.score,
    policy_version: report.integrity.policyVersion,
    flags: report.flags.length,
    focus_lost: report.focusLost,
    absences: report.absences,
    multiple_faces: report.multipleFaces,
    objects: report.objects.reduce((sum, o) => sum + o.count, 0),
    disagreements: report.disagreements,
    first_flag_at: chTime(firstFlag?.startedAt ?? null),
    flag_kinds: report.flags.map((f) => f.kind),
    last_seq: view.lastSeq,
    state: JSON.stringify(view),
  };
}

async function migrate(client: ClickHouseClient, ddl: (sql: string) => string[]): Promise<void> {
  for (const query of ddl(
    `CREATE TABLE IF NOT EXISTS schema_migrations (id UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
      ENGINE = ReplacingMergeTree ORDER BY id`,
  ))
    await client.command({ query });
  const applied = await (
    await client.query({ query: 'SELECT id FROM schema_migrations FINAL', format: 'JSONEachRow' })
  ).json<{ id: number }>();
  const done = new Set(applied.map((row) => Number(row.id)));
  for (const migration of MIGRATIONS) {
    if (done.has(migration.id)) continue;
    for (const sql of migration.sql) for (const query of ddl(sql)) await client.command({ query });
    await client.insert({
      table: 'schema_migrations',
      values: [{ id: migration.id, name: migration.name }],
      format: 'JSONEachRow',
    });
  }
}
