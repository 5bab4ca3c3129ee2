import { Module } from '@nestjs/common';
import { decodeStored } from '@proctor/domain';
import { createLogger, healthModule, type Logger, startHttpService } from '@proctor/kernel';
import {
  clickhouseConfig,
  createAnalytics,
  createEventStore,
  createKafka,
  createSessionsRepository,
  ensureTopics,
  runBatchConsumer,
  topicsFor,
} from '@proctor/pipeline';
import type { Consumer } from 'kafkajs';
import { MongoClient } from 'mongodb';
import type { ProjectorConfig } from './environment.ts';
import { analyticsProjection, type Projection, sessionsProjection } from './projections.ts';

@Module({})
class ProjectorModule {}

/** Connects the read models and the event store; shared by the running service and the replay command. */
export async function connectProjections(config: ProjectorConfig) {
  const mongo = await MongoClient.connect(config.MONGO_URL);
  const sessions = await createSessionsRepository(mongo.db(config.MONGO_DB));
  const store = await createEventStore(mongo.db(config.EVENT_STORE_DB));
  const analytics = await createAnalytics(clickhouseConfig(config));
  const projections: Projection[] = [sessionsProjection(sessions), analyticsProjection(analytics)];
  return {
    mongo,
    sessions,
    store,
    analytics,
    projections,
    async close() {
      await analytics.close();
      await mongo.close();
    },
  };
}

/** One consumer group per projection on the stored-events topic, so each advances at its own pace. */
export async function createProjectorApp(
  config: ProjectorConfig,
  logger: Logger = createLogger('projector', config.LOG_LEVEL),
) {
  const connected = await connectProjections(config);
  const kafka = createKafka(config.KAFKA_BROKERS, 'projector', logger);
  const topics = topicsFor(config.KAFKA_TOPIC_PREFIX);
  await ensureTopics(kafka, topics);
  const consumers: Consumer[] = [];
  for (const projection of connected.projections) {
    consumers.push(
      await runBatchConsumer({
        kafka,
        logger: logger.child({ projection: projection.name }),
        groupId: `${projection.name}${config.PROJECTOR_GROUP_SUFFIX}`,
        topic: topics.stored,
        handle: async (messages) => {
          const started = performance.now();
          await projection.apply(messages.flatMap((m) => (m.value ? [decodeStored(m.value)] : [])));
          logger.debug(
            {
              projection: projection.name,
              events: messages.length,
              ms: Math.round(performance.now() - started),
            },
            'batch projected',
          );
        },
      }),
    );
  }
  const app = await startHttpService({
    module: {
      module: ProjectorModule,
      imports: [
        healthModule({
          mongo: () => connected.mongo.db(config.MONGO_DB).command({ ping: 1 }),
          clickhouse: async () => {
            const ping = await connected.analytics.client.ping();
            if (!ping.success) throw ping.error;
          },
        }),
      ],
    },
    logger,
    host: config.PROJECTOR_HOST,
    port: config.PROJECTOR_PORT,
  });
  return {
    ...connected,
    async close() {
      await Promise.all(consumers.map((c) => c.disconnect()));
      await app.close();
      await connected.close();
    },
  };
}
