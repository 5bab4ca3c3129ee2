export { type Analytics, type ClickHouseConfig, createAnalytics } from './analytics-clickhouse.ts';
export { clickhouseConfig, clickhouseEnv, kafkaEnv, mongoEnv } from './environment.ts';
export { type AppendResult, createEventStore, type EventStore } from './event-store.ts';
export {
  type BatchConsumerOptions,
  createKafka,
  createProducer,
  ensureTopics,
  runBatchConsumer,
  sendEvents,
  sendStored,
  TOPIC_PARTITIONS,
  type Topics,
  topicsFor,
} from './kafka.ts';
export { alertSubject, connectNats, publishAlerts, subscribeAlerts } from './nats.ts';
export { projectSessions, type SessionViewStore } from './projection.ts';
export { createEventPublisher, type EventPublisher } from './publisher.ts';
export { createS3Client, ensureBucket } from './s3.ts';
export {
  createSessionsRepository,
  type SessionListFilter,
  type SessionsRepository,
} from './sessions-mongo.ts';
