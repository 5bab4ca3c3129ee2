import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, loadConfigOrExit } from '@proctor/kernel';
import { kafkaEnv, mongoEnv } from '@proctor/pipeline';
import { z } from 'zod';

const fraction = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
const positive = (fallback: number) => z.coerce.number().positive().default(fallback);

const schema = z.object({
  VERIFIER_HOST: z.string().default('127.0.0.1'),
  VERIFIER_PORT: env.port(4130),
  ...kafkaEnv,
  ...mongoEnv,
  NATS_URL: env.url(['nats']),
  /** The event store's database: where the verifier reads what the browser reported. */
  EVENT_STORE_DB: z.string().min(1).default('proctor_eventstore'),
  LIVEKIT_URL: env.url(['ws', 'wss']),
  LIVEKIT_API_KEY: z.string().min(1),
  LIVEKIT_API_SECRET: z.string().min(32, 'LIVEKIT_API_SECRET must be at least 32 characters'),
  S3_ENDPOINT: env.url(['http', 'https']),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  RECORDINGS_BUCKET: z.string().default('proctor-recordings'),
  /** Recordings are written here first and uploaded after; a part left by a crash is uploaded at start. */
  VERIFIER_SPOOL_DIR: z.string().default(join(tmpdir(), 'proctor-recordings')),
  /** Record each interview's audio and video to S3 (off only where ffmpeg is unavailable). */
  VERIFIER_RECORD: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Frames sampled per second per room, before the fair-share reduction. */
  VERIFIER_SAMPLE_FPS: positive(0.5),
  /** Each gap between samples varies by up to this fraction, so a client cannot predict the samples. */
  VERIFIER_SAMPLE_JITTER: fraction(0.5),
  /** Object detection on every n-th sample (it is the slow model). */
  VERIFIER_OBJECTS_EVERY: z.coerce.number().int().min(1).default(1),
  /** Detector threads; one per core by default. */
  VERIFIER_WORKERS: z.coerce.number().int().min(1).optional(),
  /** How often the list of live rooms is polled: a restarted verifier finds them again within this. */
  VERIFIER_DISCOVERY_MS: positive(2_000),
  /** Browser events may arrive this long after the verifier saw the condition before it disagrees. */
  VERIFIER_GRACE_MS: positive(15_000),
  /** Frames flowing this long without a single browser event means the browser went silent. */
  VERIFIER_SILENT_MS: positive(60_000),
  /** Rooms are shared between verifier instances through leases in NATS; an unrenewed lease frees its room after this. */
  VERIFIER_LEASE_MS: positive(15_000),
  /** The NATS key-value bucket holding the leases (tests use their own). */
  VERIFIER_CLAIMS_BUCKET: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/)
    .default('verifier_rooms_v1'),
  /** Only these organisations' rooms (comma-separated), e.g. a pool dedicated to one client; empty: all. */
  VERIFIER_ORGS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  FFMPEG_PATH: z.string().default('ffmpeg'),
  FFPROBE_PATH: z.string().default('ffprobe'),
  LOG_LEVEL: env.logLevel(),
});

export type VerifierConfig = z.infer<typeof schema>;
export const readConfig = (): VerifierConfig => loadConfigOrExit('verifier', schema);
