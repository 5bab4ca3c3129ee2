import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Session } from 'chdb';

/**
 * ClickHouse's HTTP interface (the subset clients use: /ping, queries by GET or POST, inserts with
 * the data in the body, `param_*` query parameters, `database`, `default_format`, gzip) in front of
 * the real ClickHouse engine embedded by chdb. Debian ships only ClickHouse 18.16, so this is how
 * the stack gets a current engine without a download from outside the package registries.
 */
export interface ChdbHttpOptions {
  dataDir: string;
  user?: string;
  password?: string;
}

interface ChdbError extends Error {
  clickhouseCode?: number;
}

/** URL parameters that steer the HTTP interface itself; every other one is a ClickHouse setting. */
const HTTP_PARAMS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'enable_http_compression',
  'compress',
  'decompress',
  'wait_end_of_query',
  'buffer_size',
]);
/** Defaults where chdb (tuned for embedding) differs from a ClickHouse server. */
const SERVER_DEFAULTS: Record<string, string> = { output_format_json_quote_64bit_integers: '1' };

const UNKNOWN_DATABASE = 81;
const AUTHENTICATION_FAILED = 516;
const SYNTAX_ERROR = 62;
const UNKNOWN_SETTING = 115;

function quote(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function createChdbHttpServer(options: ChdbHttpOptions): Server {
  const session = new Session(options.dataDir);
  const user = options.user ?? 'default';
  const password = options.password ?? '';
  // One engine session: queries run one at a time so `USE db` of one request never leaks into another.
  let queue: Promise<unknown> = Promise.resolve();
  const baseline = new Map<string, string>(Object.entries(SERVER_DEFAULTS));
  const ready = (async () => {
    for (const [name, value] of baseline) await session.queryAsync(`SET ${name} = ${quote(value)}`);
  })();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (
      url.pathname === '/ping' ||
      (url.pathname === '/' && req.method === 'GET' && !url.searchParams.has('query'))
    ) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (url.pathname !== '/') {
      return fail(res, 404, SYNTAX_ERROR, `There is no handle ${url.pathname}`);
    }
    const [reqUser, reqPassword] = credentials(req, url);
    if (reqUser !== user || reqPassword !== password) {
      return fail(
        res,
        403,
        AUTHENTICATION_FAILED,
        `${reqUser}: Authentication failed: password is incorrect, or there is no user with such name`,
      );
    }

    let body = await readBody(req);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const queryParam = url.searchParams.get('query');
    // Like ClickHouse: the query is the `query` parameter followed by the body (insert data), or the body alone.
    const sql =
      queryParam !== null
        ? body.length > 0
          ? `${queryParam}\n${body.toString('utf8')}`
          : queryParam
        : body.toString('utf8');
    if (sql.trim() === '') return fail(res, 400, SYNTAX_ERROR, 'Empty query');

    const params: Record<string, string> = {};
    const settings: Record<string, string> = {};
    for (const [key, value] of url.searchParams) {
      if (key.startsWith('param_')) params[key.slice(6)] = value;
      else if (!HTTP_PARAMS.has(key)) settings[key] = value;
    }
    if (Object.keys(settings).some((name) => !/^[a-z0-9_]+$/.test(name))) {
      return fail(res, 400, UNKNOWN_SETTING, 'Setting names may contain only a-z, 0-9 and _');
    }
    const database = url.searchParams.get('database');
    const format = url.searchParams.get('default_format') ?? 'TabSeparated';
    const queryId = url.searchParams.get('query_id') ?? crypto.randomUUID();

    try {
      await ready;
      const result = await serially(async () => {
        // Settings apply to this request only: set them, then put back what was there before.
        for (const [name, value] of Object.entries(settings)) {
          if (!baseline.has(name)) baseline.set(name, await currentSetting(name));
          await session.queryAsync(`SET ${name} = ${quote(value)}`);
        }
        try {
          return await runQuery();
        } finally {
          for (const name of Object.keys(settings))
            await session.queryAsync(`SET ${name} = ${quote(baseline.get(name) ?? '')}`);
        }
      });
      async function runQuery() {
        if (database && database !== 'default') {
          if (!/^[A-Za-z0-9_]+$/.test(database))
            throw Object.assign(
              new Error(
                `Code: ${UNKNOWN_DATABASE}. DB::Exception: Database ${database} does not exist. (UNKNOWN_DATABASE)`,
              ),
              { clickhouseCode: UNKNOWN_DATABASE },
            );
          await session.queryAsync(`USE ${database}`);
        } else {
          await session.queryAsync('USE default');
        }
        return Object.keys(params).length > 0
          ? session.queryBindAsync(sql, params, { format })
          : session.queryAsync(sql, { format });
      }
      let out = Buffer.from(result.bytes());
      const headers: Record<string, string> = {
        'content-type': contentType(format),
        'x-clickhouse-query-id': queryId,
        'x-clickhouse-format': format,
        'x-clickhouse-summary': JSON.stringify({
          read_rows: String(result.rowsRead),
          read_bytes: String(result.bytesRead),
          elapsed_ns: String(Math.round(result.elapsed * 1e9)),
        }),
      };
      if (
        url.searchParams.get('enable_http_compression') === '1' &&
        /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))
      ) {
        out = gzipSync(out);
        headers['content-encoding'] = 'gzip';
      }
      res.writeHead(200, headers).end(out);
    } catch (error) {
      const e = error as ChdbError;
      const code = e.clickhouseCode ?? 1002;
      fail(
        res,
        code === UNKNOWN_DATABASE ? 404 : code === SYNTAX_ERROR ? 400 : 500,
        code,
        e.message,
        queryId,
      );
    }
  }

  async function currentSetting(name: string): Promise<string> {
    const result = await session.queryBindAsync(
      'SELECT value FROM system.settings WHERE name = {name:String}',
      { name },
      { format: 'TabSeparatedRaw' },
    );
    const value = result.text().trim();
    if (value === '')
      throw Object.assign(
        new Error(`Code: ${UNKNOWN_SETTING}. DB::Exception: Unknown setting '${name}'. (UNKNOWN_SETTING)`),
        { clickhouseCode: UNKNOWN_SETTING },
      );
    return value;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => fail(res, 500, 1002, String(error)));
  });
  server.on('close', () => session.close());
  return server;
}

function credentials(req: IncomingMessage, url: URL): [string, string] {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }
  const headerUser = req.headers['x-clickhouse-user'];
  if (typeof headerUser === 'string') return [headerUser, String(req.headers['x-clickhouse-key'] ?? '')];
  return [url.searchParams.get('user') ?? 'default', url.searchParams.get('password') ?? ''];
}

function contentType(format: string): string {
  if (format.startsWith('JSON')) return 'application/json; charset=UTF-8';
  if (format === 'CSV' || format.startsWith('CSVWith')) return 'text/csv; charset=UTF-8';
  return 'text/plain; charset=UTF-8';
}

function fail(res: ServerResponse, status: number, code: number, message: string, queryId?: string): void {
  if (res.headersSent) return void res.destroy();
  const text = message.startsWith('Code:') ? message : `Code: ${code}. DB::Exception: ${message}`;
  res
    .writeHead(status, {
      'content-type': 'text/plain; charset=UTF-8',
      'x-clickhouse-exception-code': String(code),
      ...(queryId ? { 'x-clickhouse-query-id': queryId } : {}),
    })
    .end(`${text}\n`);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
