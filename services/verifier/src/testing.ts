import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@proctor/kernel';
import { stackValue } from '@proctor/testkit';
import { createVerifierApp } from './app.ts';
import type { VerifierConfig } from './environment.ts';

/**
 * A verifier on a test pipeline's topics, store and recordings bucket (`ns` is the pipeline's namespace),
 * watching only `orgs`' rooms so it never picks up rooms of other tests sharing the LiveKit server.
 */
export async function startTestVerifier(ns: string, orgs: string[], overrides: Partial<VerifierConfig> = {}) {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const config: VerifierConfig = {
    VERIFIER_HOST: '127.0.0.1',
    VERIFIER_PORT: port,
    KAFKA_BROKERS: stackValue('KAFKA_BROKERS').split(','),
    KAFKA_TOPIC_PREFIX: `${ns}_`,
    MONGO_URL: stackValue('MONGO_URL'),
    NATS_URL: stackValue('NATS_URL'),
    EVENT_STORE_DB: `${ns}_eventstore`,
    LIVEKIT_URL: stackValue('LIVEKIT_URL'),
    LIVEKIT_API_KEY: stackValue('LIVEKIT_API_KEY'),
    LIVEKIT_API_SECRET: stackValue('LIVEKIT_API_SECRET'),
    S3_ENDPOINT: stackValue('S3_ENDPOINT'),
    S3_REGION: stackValue('S3_REGION'),
    S3_ACCESS_KEY: stackValue('S3_ACCESS_KEY'),
    S3_SECRET_KEY: stackValue('S3_SECRET_KEY'),
    RECORDINGS_BUCKET: `${ns.replaceAll('_', '-')}-recordings`,
    VERIFIER_SPOOL_DIR: mkdtempSync(join(tmpdir(), `${ns}-spool-`)),
    VERIFIER_RECORD: true,
    VERIFIER_SAMPLE_FPS: 1,
    VERIFIER_SAMPLE_JITTER: 0.5,
    VERIFIER_OBJECTS_EVERY: 1,
    VERIFIER_WORKERS: 1,
    VERIFIER_DISCOVERY_MS: 1_000,
    VERIFIER_GRACE_MS: 5_000,
    VERIFIER_SILENT_MS: 20_000,
    VERIFIER_LEASE_MS: 5_000,
    VERIFIER_CLAIMS_BUCKET: `${ns}_rooms`,
    VERIFIER_ORGS: orgs,
    FFMPEG_PATH: 'ffmpeg',
    FFPROBE_PATH: 'ffprobe',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
  const app = await createVerifierApp(
    config,
    createLogger(`${ns}-verifier`, process.env.LOG_LEVEL ?? 'silent'),
  );
  return { ...app, config, url: `http://127.0.0.1:${port}` };
}

export type TestVerifier = Awaited<ReturnType<typeof startTestVerifier>>;
