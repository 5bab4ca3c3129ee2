import { createTokenService } from '@proctor/auth';
import { type PayloadInit, systemEvent } from '@proctor/domain';
import { createEventStoreApp } from '@proctor/event-store/app';
import { createIngestionApp } from '@proctor/ingestion/app';
import { createLogger } from '@proctor/kernel';
import { createKafka, createProducer, sendEvents, topicsFor } from '@proctor/pipeline';
import { stackValue, uniqueName } from '@proctor/testkit';
import { createProjectorApp } from './app.ts';

/**
 * A whole pipeline (ingestion → Kafka → store → projections) in this process, on the real stack, with its
 * own topics, databases and consumer groups: specs that use it run in parallel and never see each other.
 */
export async function startTestPipeline(name = 'pipe') {
  const ns = uniqueName(name);
  const logger = createLogger(ns, process.env.LOG_LEVEL ?? 'silent');
  const common = {
    KAFKA_BROKERS: stackValue('KAFKA_BROKERS').split(','),
    KAFKA_TOPIC_PREFIX: `${ns}_`,
    MONGO_URL: stackValue('MONGO_URL'),
    LOG_LEVEL: 'silent' as const,
  };
  const tokenSecret = stackValue('TOKEN_SECRET');
  // Each is a factory: scale-out tests add instances of a service on the same topics and consumer groups.
  const addIngestion = () =>
    createIngestionApp(
      {
        ...common,
        INGESTION_HOST: '127.0.0.1',
        INGESTION_PORT: 0,
        NATS_URL: stackValue('NATS_URL'),
        TOKEN_SECRET: tokenSecret,
      },
      logger,
    );
  const addStore = () =>
    createEventStoreApp(
      {
        ...common,
        EVENT_STORE_HOST: '127.0.0.1',
        EVENT_STORE_PORT: 0,
        EVENT_STORE_DB: `${ns}_eventstore`,
        EVENT_STORE_GROUP: `${ns}_store`,
      },
      logger,
    );
  const addProjector = () =>
    createProjectorApp(
      {
        ...common,
        PROJECTOR_HOST: '127.0.0.1',
        PROJECTOR_PORT: 0,
        MONGO_DB: `${ns}_proctor`,
        EVENT_STORE_DB: `${ns}_eventstore`,
        CLICKHOUSE_URL: stackValue('CLICKHOUSE_URL'),
        CLICKHOUSE_USER: stackValue('CLICKHOUSE_USER'),
        CLICKHOUSE_PASSWORD: stackValue('CLICKHOUSE_PASSWORD'),
        CLICKHOUSE_DATABASE: `${ns}_analytics`,
        PROJECTOR_GROUP_SUFFIX: `_${ns}`,
      },
      logger,
    );
  const ingestion = await addIngestion();
  const store = await addStore();
  const projector = await addProjector();
  const kafka = createKafka(common.KAFKA_BROKERS, `${ns}-test`, logger);
  const producer = await createProducer(kafka);
  const topics = topicsFor(common.KAFKA_TOPIC_PREFIX);
  const tokens = createTokenService(tokenSecret);

  return {
    ns,
    ingestionUrl: ingestion.url.replace('[::1]', '127.0.0.1'),
    ingestion,
    store,
    projector,
    tokens,
    topics,
    addIngestion,
    addStore,
    addProjector,
    /** Publishes platform events (what the gateway does when an interview is created, started...). */
    async system(sessionId: string, orgId: string, payload: PayloadInit, at?: Date) {
      await sendEvents(producer, topics, [systemEvent(sessionId, orgId, payload, { now: at })]);
    },
    async createSession(orgId: string, sessionId = uniqueName('s'), candidateName = 'John Doe') {
      await this.system(sessionId, orgId, {
        case: 'sessionCreated',
        value: { candidateName, title: 'Backend interview', interviewerId: 'int-1' },
      });
      return sessionId;
    },
    async close() {
      await producer.disconnect();
      await ingestion.close();
      await store.close();
      await projector.close();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
      await projector.analytics.client
        .command({ query: `DROP DATABASE IF EXISTS ${ns}_analytics` })
        .catch(() => undefined);
    },
  };
}

export type TestPipeline = Awaited<ReturnType<typeof startTestPipeline>>;
