import { createTokenService } from '@proctor/auth';
import { LIMITS } from '@proctor/domain';
import { createLogger, type Logger, startHttpService } from '@proctor/kernel';
import {
  connectNats,
  createEventPublisher,
  createKafka,
  createProducer,
  ensureTopics,
  topicsFor,
} from '@proctor/pipeline';
import type { IngestionConfig } from './environment.ts';
import { ingestionModule } from './http.ts';
import { createIngestService } from './ingest.ts';

/** Wires the ingestion service from its configuration; `close()` stops it in the right order. */
export async function createIngestionApp(
  config: IngestionConfig,
  logger: Logger = createLogger('ingestion', config.LOG_LEVEL),
) {
  const kafka = createKafka(config.KAFKA_BROKERS, 'ingestion', logger);
  const topics = topicsFor(config.KAFKA_TOPIC_PREFIX);
  await ensureTopics(kafka, topics);
  const producer = await createProducer(kafka);
  const nats = await connectNats(config.NATS_URL, 'ingestion', logger);
  const tokens = createTokenService(config.TOKEN_SECRET);
  const publisher = createEventPublisher({ producer, topics, nats });
  const ingest = createIngestService({ publisher, logger });
  const readiness = {
    nats: async () => {
      if (nats.isClosed()) throw new Error('NATS connection closed');
      await nats.flush();
    },
    kafka: async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.disconnect();
    },
  };
  const app = await startHttpService({
    module: ingestionModule(ingest, tokens, readiness),
    logger,
    host: config.INGESTION_HOST,
    port: config.INGESTION_PORT,
    bodyLimit: LIMITS.maxBatchBytes,
  });
  return {
    app,
    url: await app.getUrl(),
    async close() {
      await app.close();
      await producer.disconnect();
      await nats.drain();
    },
  };
}
