/**
 * The analytics migrations are written for one ClickHouse node. On a replicated, sharded cluster (the Altinity
 * installation in k8s/engines) each table becomes a ReplicatedReplacingMergeTree `<name>_local` on every node
 * plus a Distributed `<name>` in front of it, sharded by session id so a session's rows (and their
 * duplicates, which ReplacingMergeTree folds) live on one shard; views and databases are created ON CLUSTER.
 * Queries and inserts keep using the original names.
 */
export function forCluster(sql: string, cluster: string): string[] {
  const on = `ON CLUSTER '${cluster}'`;
  const table =
    /^\s*CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*)\)\s*ENGINE = ReplacingMergeTree(?:\((\w+)\))?([\s\S]*)$/.exec(
      sql,
    );
  if (table) {
    const [, name, columns, version, rest] = table as unknown as [
      string,
      string,
      string,
      string | undefined,
      string,
    ];
    const local = `${name}_local`;
    const engineArgs = [
      `'/clickhouse/tables/{shard}/{database}/${local}'`,
      `'{replica}'`,
      ...(version ? [version] : []),
    ];
    const shardKey = /\bsession_id\b/.test(columns) ? 'cityHash64(session_id)' : 'rand()';
    return [
      `CREATE TABLE IF NOT EXISTS ${local} ${on} (${columns}) ENGINE = ReplicatedReplacingMergeTree(${engineArgs.join(', ')})${rest}`,
      `CREATE TABLE IF NOT EXISTS ${name} ${on} AS ${local} ENGINE = Distributed('${cluster}', currentDatabase(), ${local}, ${shardKey})`,
    ];
  }
  const view = /^\s*CREATE VIEW IF NOT EXISTS (\w+) AS([\s\S]*)$/.exec(sql);
  if (view) return [`CREATE VIEW IF NOT EXISTS ${view[1]} ${on} AS${view[2]}`];
  const database = /^\s*CREATE DATABASE IF NOT EXISTS (\w+)\s*$/.exec(sql);
  if (database) return [`CREATE DATABASE IF NOT EXISTS ${database[1]} ${on}`];
  throw new Error(`forCluster: no cluster form for this statement; add one: ${sql.slice(0, 80)}`);
}
