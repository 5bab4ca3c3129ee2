import { env, loadConfigOrExit } from '@proctor/kernel';
import { kafkaEnv } from '@proctor/pipeline';
import { z } from 'zod';

const schema = z.object({
  INGESTION_HOST: z.string().default('127.0.0.1'),
  INGESTION_PORT: env.port(4100),
  ...kafkaEnv,
  NATS_URL: env.url(['nats']),
  TOKEN_SECRET: env.secret(32),
  LOG_LEVEL: env.logLevel(),
});

export type IngestionConfig = z.infer<typeof schema>;
export const readConfig = (): IngestionConfig => loadConfigOrExit('ingestion', schema);
