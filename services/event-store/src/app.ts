import { Module } from '@nestjs/common';
import { decodeEvent } from '@proctor/domain';
import { createLogger, healthModule, type Logger, startHttpService } from '@proctor/kernel';
import {
  createEventStore,
  createKafka,
  createProducer,
  ensureTopics,
  runBatchConsumer,
  sendStored,
  topicsFor,
} from '@proctor/pipeline';
import { MongoClient } from 'mongodb';
import type { EventStoreConfig } from './environment.ts';

@Module({})
class EventStoreModule {}

/**
 * Consumes accepted events, appends them, then publishes them as stored events. A crash between the append
 * and the Kafka commit replays the batch: the store recognises the event ids and re-publishes the stored
 * copies with their original numbers, so nothing is lost and nothing is counted twice downstream.
 */
export async function createEventStoreApp(
  config: EventStoreConfig,
  logger: Logger = createLogger('event-store', config.LOG_LEVEL),
) {
  const mongo = await MongoClient.connect(config.MONGO_URL);
  const store = await createEventStore(mongo.db(config.EVENT_STORE_DB));
  const kafka = createKafka(config.KAFKA_BROKERS, 'event-store', logger);
  const topics = topicsFor(config.KAFKA_TOPIC_PREFIX);
  await ensureTopics(kafka, topics);
  const producer = await createProducer(kafka);
  let appendedTotal = 0;
  let handledTotal = 0;
  const consumer = await runBatchConsumer({
    kafka,
    logger,
    groupId: config.EVENT_STORE_GROUP,
    topic: topics.events,
    handle: async (messages) => {
      const t0 = performance.now();
      const events = messages.flatMap((m) => (m.value ? [decodeEvent(m.value)] : []));
      const result = await store.append(events);
      const t1 = performance.now();
      await sendStored(producer, topics, result.stored);
      const timing = { appendMs: Math.round(t1 - t0), produceMs: Math.round(performance.now() - t1) };
      appendedTotal += result.appended;
      handledTotal += events.length;
      logger.debug({ appended: result.appended, duplicates: result.duplicates, ...timing }, 'batch appended');
    },
  });
  consumer.on(consumer.events.GROUP_JOIN, () => store.forgetCachedSequences());

  const app = await startHttpService({
    module: {
      module: EventStoreModule,
      imports: [healthModule({ mongo: () => mongo.db(config.EVENT_STORE_DB).command({ ping: 1 }) })],
    },
    logger,
    host: config.EVENT_STORE_HOST,
    port: config.EVENT_STORE_PORT,
  });
  return {
    store,
    /** Events newly appended / events read from Kafka, since start. */
    appended: () => appendedTotal,
    handled: () => handledTotal,
    async close() {
      await consumer.disconnect();
      await producer.disconnect();
      await app.close();
      await mongo.close();
    },
  };
}
