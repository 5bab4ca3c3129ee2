import { env, loadConfigOrExit } from '@proctor/kernel';
import { clickhouseEnv, kafkaEnv, mongoEnv } from '@proctor/pipeline';
import { z } from 'zod';

const schema = z.object({
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: env.port(4000),
  /** Where browsers reach the gateway; links and the PDF renderer use it. */
  PUBLIC_URL: env.url(['http', 'https']).default('http://127.0.0.1:4000'),
  INGESTION_URL: env.url(['http', 'https']).default('http://127.0.0.1:4100'),
  /** The built web app (web/dist); served when present. */
  WEB_DIST: z.string().default(new URL('../../../web/dist', import.meta.url).pathname),
  ...kafkaEnv,
  ...mongoEnv,
  MONGO_DB: z.string().min(1).default('proctor'),
  /** The append-only store, read for interview timelines. */
  EVENT_STORE_DB: z.string().min(1).default('proctor_eventstore'),
  NATS_URL: env.url(['nats']),
  ...clickhouseEnv,
  S3_ENDPOINT: env.url(['http', 'https']),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  REPORTS_BUCKET: z.string().default('proctor-reports'),
  /** Where the verifier stores interview recordings; the report links to them. */
  RECORDINGS_BUCKET: z.string().default('proctor-recordings'),
  LIVEKIT_URL: env.url(['ws', 'wss']),
  LIVEKIT_API_KEY: z.string().min(1),
  LIVEKIT_API_SECRET: env.secret(32),
  TOKEN_SECRET: env.secret(32),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /** Pages rendered to PDF at once; each is a tab of one warm browser. */
  PDF_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** `email:password:role:org` entries created at start when missing (development and demos only). */
  SEED_USERS: z.string().default(''),
  LOG_LEVEL: env.logLevel(),
});

export type GatewayConfig = z.infer<typeof schema>;
export const readConfig = (): GatewayConfig => loadConfigOrExit('gateway', schema);
