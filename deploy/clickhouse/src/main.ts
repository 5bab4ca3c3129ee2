import { parseArgs } from 'node:util';
import { createChdbHttpServer } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8123' },
    data: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (!values.data) {
  console.error('chdb-http: --data DIR is required (where the ClickHouse engine keeps its tables)');
  process.exit(2);
}
const server = createChdbHttpServer({
  dataDir: values.data,
  password: process.env.CLICKHOUSE_PASSWORD ?? '',
});
server.on('error', (error) => {
  console.error(`chdb-http: cannot listen on ${values.host}:${values.port}: ${error.message}`);
  process.exit(1);
});
server.listen(Number(values.port), values.host, () => {
  console.error(
    JSON.stringify({
      level: 'info',
      msg: 'ClickHouse HTTP interface ready',
      port: values.port,
      data: values.data,
    }),
  );
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
