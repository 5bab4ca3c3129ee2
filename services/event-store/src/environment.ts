import { env, loadConfigOrExit } from '@proctor/kernel';
import { kafkaEnv, mongoEnv } from '@proctor/pipeline';
import { z } from 'zod';

const schema = z.object({
  EVENT_STORE_HOST: z.string().default('127.0.0.1'),
  EVENT_STORE_PORT: env.port(4110),
  ...kafkaEnv,
  ...mongoEnv,
  EVENT_STORE_DB: z.string().min(1).default('proctor_eventstore'),
  /** The consumer group; a suffix lets tests run an isolated store. */
  EVENT_STORE_GROUP: z.string().min(1).default('event_store_v1'),
  LOG_LEVEL: env.logLevel(),
});

export type EventStoreConfig = z.infer<typeof schema>;
export const readConfig = (): EventStoreConfig => loadConfigOrExit('event-store', schema);
