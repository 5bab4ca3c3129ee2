import { env, loadConfigOrExit } from '@proctor/kernel';
import { z } from 'zod';

const schema = z.object({
  INGESTION_HOST: z.string().default('127.0.0.1'),
  INGESTION_PORT: env.port(4100),
  KAFKA_BROKERS: env.list(),
  /** Namespaces the pipeline's topics (tests run one pipeline each). */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-z0-9_]*$/)
    .default(''),
  NATS_URL: env.url(['nats']),
  MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
  MONGO_DB: z.string().min(1).default('proctor'),
  TOKEN_SECRET: env.secret(32),
  LOG_LEVEL: env.logLevel(),
});

export type IngestionConfig = z.infer<typeof schema>;
export const readConfig = (): IngestionConfig => loadConfigOrExit('ingestion', schema);
