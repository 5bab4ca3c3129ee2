import { describe, expect, it } from 'vitest';
import { forCluster } from './clickhouse-ddl.ts';

const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('analytics DDL on a ClickHouse cluster', () => {
  it('turns a table into a replicated local table and a Distributed table sharded by session', () => {
    const [local, distributed] = forCluster(
      `CREATE TABLE IF NOT EXISTS sessions_v1 (
        session_id String,
        last_seq UInt64
      ) ENGINE = ReplacingMergeTree(last_seq)
      ORDER BY (org_id, session_id)`,
      'proctor',
    ).map(squash);
    expect(local).toBe(
      "CREATE TABLE IF NOT EXISTS sessions_v1_local ON CLUSTER 'proctor' ( session_id String, last_seq UInt64 ) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/sessions_v1_local', '{replica}', last_seq) ORDER BY (org_id, session_id)",
    );
    expect(distributed).toBe(
      "CREATE TABLE IF NOT EXISTS sessions_v1 ON CLUSTER 'proctor' AS sessions_v1_local ENGINE = Distributed('proctor', currentDatabase(), sessions_v1_local, cityHash64(session_id))",
    );
  });

  it('keeps a table without a session id whole on a random shard, and creates views and databases on the cluster', () => {
    const [local, distributed] = forCluster(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id UInt32, name String) ENGINE = ReplacingMergeTree ORDER BY id',
      'c1',
    ).map(squash);
    expect(local).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/schema_migrations_local', '{replica}') ORDER BY id",
    );
    expect(distributed).toContain('schema_migrations_local, rand())');
    expect(forCluster('CREATE VIEW IF NOT EXISTS v AS SELECT 1 FROM sessions_v1 FINAL', 'c1')).toEqual([
      "CREATE VIEW IF NOT EXISTS v ON CLUSTER 'c1' AS SELECT 1 FROM sessions_v1 FINAL",
    ]);
    expect(forCluster('CREATE DATABASE IF NOT EXISTS proctor_analytics', 'c1')).toEqual([
      "CREATE DATABASE IF NOT EXISTS proctor_analytics ON CLUSTER 'c1'",
    ]);
    expect(() => forCluster('ALTER TABLE x ADD COLUMN y String', 'c1')).toThrow(/no cluster form/);
  });
});
