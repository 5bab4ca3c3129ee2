import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createLogger } from '@proctor/kernel';
import type { TestPipeline } from '@proctor/projector/testing';
import { stackValue } from '@proctor/testkit';
import { createGatewayApp } from './app.ts';

const WEB_DIST = new URL('../../../web/dist', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A gateway on the test pipeline's topics and databases, serving the built web app (built if missing). */
export async function startTestGateway(pipe: TestPipeline, seedUsers: string[] = []) {
  if (!existsSync(`${WEB_DIST}/index.html`))
    execFileSync('pnpm', ['--filter', '@proctor/web', 'build'], { stdio: 'ignore' });
  const port = await freePort();
  const gateway = await createGatewayApp(
    {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: port,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      INGESTION_URL: pipe.ingestionUrl,
      WEB_DIST,
      KAFKA_BROKERS: stackValue('KAFKA_BROKERS').split(','),
      KAFKA_TOPIC_PREFIX: `${pipe.ns}_`,
      MONGO_URL: stackValue('MONGO_URL'),
      MONGO_DB: `${pipe.ns}_proctor`,
      EVENT_STORE_DB: `${pipe.ns}_eventstore`,
      NATS_URL: stackValue('NATS_URL'),
      CLICKHOUSE_URL: stackValue('CLICKHOUSE_URL'),
      CLICKHOUSE_USER: stackValue('CLICKHOUSE_USER'),
      CLICKHOUSE_PASSWORD: stackValue('CLICKHOUSE_PASSWORD'),
      CLICKHOUSE_DATABASE: `${pipe.ns}_analytics`,
      S3_ENDPOINT: stackValue('S3_ENDPOINT'),
      S3_REGION: stackValue('S3_REGION'),
      S3_ACCESS_KEY: stackValue('S3_ACCESS_KEY'),
      S3_SECRET_KEY: stackValue('S3_SECRET_KEY'),
      REPORTS_BUCKET: `${pipe.ns.replaceAll('_', '-')}-reports`,
      RECORDINGS_BUCKET: `${pipe.ns.replaceAll('_', '-')}-recordings`,
      LIVEKIT_URL: stackValue('LIVEKIT_URL'),
      LIVEKIT_API_KEY: stackValue('LIVEKIT_API_KEY'),
      LIVEKIT_API_SECRET: stackValue('LIVEKIT_API_SECRET'),
      TOKEN_SECRET: stackValue('TOKEN_SECRET'),
      CHROMIUM_PATH: stackValue('CHROMIUM_PATH'),
      PDF_CONCURRENCY: 2,
      SEED_USERS: seedUsers.join(','),
      LOG_LEVEL: 'silent',
    },
    createLogger(`${pipe.ns}-gateway`, process.env.LOG_LEVEL ?? 'silent'),
  );

  /** A GraphQL call as a client makes it; returns the whole answer (data and errors). */
  const graphql = async (
    query: string,
    variables: Record<string, unknown> = {},
    auth?: { token?: string; apiKey?: string },
  ) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth?.token) headers.authorization = `Bearer ${auth.token}`;
    if (auth?.apiKey) headers['x-api-key'] = auth.apiKey;
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as {
      // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in the tests
      data?: Record<string, any>;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  };
  /** What a candidate's browser does: POST one event (a payload such as `{ tabHidden: {...} }`) to /api/logs. */
  const postClientEvent = (
    candidateToken: string,
    sessionId: string,
    event: { eventId: string; producerSeq?: number; producerId?: string } & Record<string, unknown>,
  ) => {
    const { producerSeq = 1, producerId = 'tab', ...rest } = event;
    return fetch(`${gateway.url}/api/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${candidateToken}` },
      body: JSON.stringify({
        sessionId,
        events: [
          {
            sessionId,
            producerId,
            producerSeq: String(producerSeq),
            occurredAt: new Date().toISOString(),
            ...rest,
          },
        ],
      }),
    });
  };
  return { ...gateway, graphql, postClientEvent };
}

export type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;
