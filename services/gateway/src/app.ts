import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import { createPubSub } from '@graphql-yoga/subscription';
import { Module } from '@nestjs/common';
import { createTokenService } from '@proctor/auth';
import { type Alert, LIMITS } from '@proctor/domain';
import { createLogger, healthModule, type Logger, startHttpService } from '@proctor/kernel';
import {
  alertSubject,
  clickhouseConfig,
  connectNats,
  createAnalytics,
  createEventPublisher,
  createEventStore,
  createKafka,
  createProducer,
  createSessionsRepository,
  ensureTopics,
  topicsFor,
} from '@proctor/pipeline';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MongoClient } from 'mongodb';
import type { GatewayConfig } from './environment.ts';
import { createExportStore } from './exports.ts';
import { createAuthenticator, createGraphqlHandler } from './graphql.ts';
import { createInterviewUseCases } from './interviews.ts';
import { createRooms } from './livekit.ts';
import { createNatsEventTarget } from './nats-event-target.ts';
import { createPdfRenderer } from './pdf.ts';
import { restModule } from './rest.ts';
import { createUsers } from './users.ts';
import { attachWebSocket } from './websocket.ts';

@Module({})
class GatewayModule {}

const MAX_BODY_BYTES = 256 * 1024;

export async function createGatewayApp(
  config: GatewayConfig,
  logger: Logger = createLogger('gateway', config.LOG_LEVEL),
) {
  const mongo = await MongoClient.connect(config.MONGO_URL);
  const db = mongo.db(config.MONGO_DB);
  const sessions = await createSessionsRepository(db);
  const users = await createUsers(db);
  for (const entry of config.SEED_USERS.split(',').filter(Boolean)) {
    const [email, password, role, org] = entry.split(':');
    if (email && password && role && org) await users.add(email, password, role as never, org);
  }
  const store = await createEventStore(mongo.db(config.EVENT_STORE_DB));
  const analytics = await createAnalytics(clickhouseConfig(config));
  const kafka = createKafka(config.KAFKA_BROKERS, 'gateway', logger);
  const topics = topicsFor(config.KAFKA_TOPIC_PREFIX);
  await ensureTopics(kafka, topics);
  const producer = await createProducer(kafka);
  const nats = await connectNats(config.NATS_URL, 'gateway', logger);
  const pubSub = createPubSub<{ alert: [id: string, payload: Alert] }>({
    eventTarget: createNatsEventTarget(nats, (topic) => {
      // Topics are `alert:<org>.<session>`; the subject is the one ingestion publishes on.
      const [org = '', session = ''] = topic.slice('alert:'.length).split('.');
      return alertSubject(org, session);
    }),
  });
  const pdf = createPdfRenderer({
    executablePath: config.CHROMIUM_PATH,
    concurrency: config.PDF_CONCURRENCY,
    logger,
  });
  const exportStore = await createExportStore({
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.REPORTS_BUCKET,
    recordingsBucket: config.RECORDINGS_BUCKET,
  });
  const rooms = createRooms({
    url: config.LIVEKIT_URL,
    apiKey: config.LIVEKIT_API_KEY,
    apiSecret: config.LIVEKIT_API_SECRET,
  });
  const tokens = createTokenService(config.TOKEN_SECRET);
  const publisher = createEventPublisher({ producer, topics, nats });
  const interviews = createInterviewUseCases({ sessions, publisher, rooms });
  const yoga = createGraphqlHandler({
    sessions,
    store,
    analytics,
    users,
    tokens,
    rooms,
    interviews,
    pubSub,
    pdf,
    exportStore,
    publicUrl: config.PUBLIC_URL,
    logger,
  });

  const readiness = {
    mongo: () => db.command({ ping: 1 }),
    nats: () => nats.flush(),
    s3: () => exportStore.ping(),
    clickhouse: async () => {
      const ping = await analytics.client.ping();
      if (!ping.success) throw ping.error;
    },
  };
  const app = await startHttpService({
    module: {
      module: GatewayModule,
      imports: [healthModule(readiness), restModule(interviews, createAuthenticator(tokens, users))],
    },
    logger,
    host: config.GATEWAY_HOST,
    port: config.GATEWAY_PORT,
    bodyLimit: MAX_BODY_BYTES,
    configure: (fastify) => routes(fastify, { yoga, config, logger }),
  });
  const closeWebSocket = attachWebSocket(app.getHttpServer(), yoga, logger);
  void pdf
    .warm()
    .catch((error: unknown) => logger.warn({ err: error }, 'PDF browser did not start; reports will retry'));

  return {
    app,
    url: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    users,
    tokens,
    sessions,
    pdf,
    async close() {
      await closeWebSocket();
      await app.close();
      await pdf.close();
      await producer.disconnect();
      await nats.drain();
      await analytics.close();
      await mongo.close();
    },
  };
}

function routes(
  fastify: FastifyInstance,
  deps: { yoga: ReturnType<typeof createGraphqlHandler>; config: GatewayConfig; logger: Logger },
): void {
  const graphql = async (request: FastifyRequest, reply: FastifyReply) => {
    const response = await deps.yoga.handleNodeRequestAndResponse(request, reply);
    for (const [name, value] of response.headers) void reply.header(name, value);
    void reply.status(response.status);
    return reply.send(response.body);
  };
  fastify.route({ url: '/graphql', method: ['GET', 'POST', 'OPTIONS'], handler: graphql });

  // One origin for the local browser: the candidate's events go on to ingestion, as the Kubernetes ingress sends
  // them (k8s/base/ingress.yaml), with ingestion's body limit. Every other /api route is the gateway's own.
  fastify.post('/api/logs', { bodyLimit: LIMITS.maxBatchBytes }, async (request, reply) => {
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      const res = await fetch(new URL('/api/logs', deps.config.INGESTION_URL), {
        method: 'POST',
        headers,
        body: JSON.stringify(request.body ?? {}),
      });
      return reply
        .status(res.status)
        .header('content-type', res.headers.get('content-type') ?? 'application/json')
        .send(Buffer.from(await res.arrayBuffer()));
    } catch (error) {
      deps.logger.warn({ err: error }, 'ingestion unreachable');
      return reply.status(503).send({
        error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'ingestion is unavailable; retry shortly' },
      });
    }
  });

  if (existsSync(deps.config.WEB_DIST)) {
    void fastify.register(fastifyStatic, { root: deps.config.WEB_DIST, wildcard: false, index: false });
    // The web app routes in the browser: every other GET gets index.html.
    fastify.get('/*', (_request, reply) => reply.type('text/html').sendFile('index.html'));
  } else {
    deps.logger.warn(
      { dir: deps.config.WEB_DIST },
      'web app not built (pnpm --filter @proctor/web build); serving the API only',
    );
  }
}
