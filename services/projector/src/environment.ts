import { env, loadConfigOrExit } from '@proctor/kernel';
import { clickhouseEnv, kafkaEnv, mongoEnv } from '@proctor/pipeline';
import { z } from 'zod';

const schema = z.object({
  PROJECTOR_HOST: z.string().default('127.0.0.1'),
  PROJECTOR_PORT: env.port(4120),
  ...kafkaEnv,
  ...mongoEnv,
  MONGO_DB: z.string().min(1).default('proctor'),
  EVENT_STORE_DB: z.string().min(1).default('proctor_eventstore'),
  ...clickhouseEnv,
  /** Appended to the consumer group names; lets tests run isolated projections. */
  PROJECTOR_GROUP_SUFFIX: z.string().default(''),
  LOG_LEVEL: env.logLevel(),
});

export type ProjectorConfig = z.infer<typeof schema>;
export const readConfig = (): ProjectorConfig => loadConfigOrExit('projector', schema);
