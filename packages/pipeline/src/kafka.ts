import { type EventEnvelope, encodeEvent, encodeStored, type StoredEvent } from '@proctor/domain';
import { DependencyUnavailableError, type Logger } from '@proctor/kernel';
import {
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaMessage,
  logLevel,
  type Producer,
} from 'kafkajs';

/**
 * Versioned topics: a breaking change gets a new topic (`_v2`) and both run side by side while consumers
 * move. The prefix namespaces a whole pipeline (tests run one each).
 */
export function topicsFor(prefix = '') {
  return {
    /** Accepted events, as ingestion received them; keyed by session id. */
    events: `${prefix}proctor_events_v1`,
    /** Events the store appended, with their session sequence and global position; what projections consume. */
    stored: `${prefix}proctor_stored_events_v1`,
  };
}
export type Topics = ReturnType<typeof topicsFor>;

/** Partitions per topic: the ceiling on parallel consumers per group (see k8s/ for the sizing). */
export const TOPIC_PARTITIONS = 6;

export function createKafka(brokers: string[], clientId: string, logger: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200 },
    logCreator:
      () =>
      ({ namespace, level, log }) => {
        const { message, ...extra } = log;
        const method = level <= logLevel.ERROR ? 'error' : 'warn';
        logger[method]({ namespace, ...extra }, `kafka: ${message}`);
      },
  });
}

/** Creates the topics if missing; safe to run from every service at start. */
export async function ensureTopics(kafka: Kafka, topics: Topics, partitions = TOPIC_PARTITIONS) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(topics).filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** An idempotent producer with acks from all in-sync replicas: once `send` resolves, Kafka has the batch. */
export async function createProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return producer;
}

export async function sendEvents(producer: Producer, topics: Topics, events: EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await producer.send({
      topic: topics.events,
      acks: -1,
      messages: events.map((event) => ({
        key: event.sessionId,
        value: Buffer.from(encodeEvent(event)),
        headers: { 'event-id': event.eventId },
      })),
    });
  } catch (error) {
    throw new DependencyUnavailableError('Kafka', error);
  }
}

export async function sendStored(producer: Producer, topics: Topics, stored: StoredEvent[]): Promise<void> {
  if (stored.length === 0) return;
  await producer.send({
    topic: topics.stored,
    acks: -1,
    messages: stored.map((s) => ({ key: s.event?.sessionId ?? '', value: Buffer.from(encodeStored(s)) })),
  });
}

/** Messages handled (and committed) at a time within a fetched batch. */
const MAX_CHUNK = 200;

export interface BatchConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  logger: Logger;
  /** Handles one partition's batch; offsets are committed only after it resolves, so a crash replays the batch. */
  handle: (messages: KafkaMessage[], partition: number) => Promise<void>;
  fromBeginning?: boolean;
}

/**
 * At-least-once consumption: a batch is committed after `handle` succeeds. Handlers must be idempotent
 * (the store dedupes by event id, projections by session sequence).
 */
export async function runBatchConsumer(options: BatchConsumerOptions): Promise<Consumer> {
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxBytesPerPartition: 4 * 1024 * 1024,
    // A consumer that crashed (e.g. removed from the group after a slow batch) rejoins instead of stopping
    // for good: a projection that silently stops is worse than one that replays a batch.
    retry: {
      retries: 10,
      restartOnFailure: async (error: Error) => {
        options.logger.error({ err: error, groupId: options.groupId }, 'consumer crashed; restarting');
        return true;
      },
    },
  });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
      // In chunks, each committed and followed by a heartbeat: a large backlog never holds the group's
      // session past its timeout, and a rebalance mid-batch loses at most one chunk of work.
      for (let from = 0; from < batch.messages.length; from += MAX_CHUNK) {
        const chunk = batch.messages.slice(from, from + MAX_CHUNK);
        const last = chunk[chunk.length - 1];
        if (!isRunning() || isStale() || !last) return;
        await options.handle(chunk, batch.partition);
        resolveOffset(last.offset);
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
        ]);
        await heartbeat();
      }
    },
  });
  options.logger.info({ groupId: options.groupId, topic: options.topic }, 'consuming');
  return consumer;
}
