import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { RecordingState } from '@proctor/domain';
import type { Logger } from '@proctor/kernel';
import { createS3Client, ensureBucket } from '@proctor/pipeline';
import { fileSize, probeDurationMs, type RecordingPart } from './recorder.ts';

const rmdirQuietly = (dir: string) => {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or already gone
  }
};

/** What the platform records about a finished part (the payload of a RecordingChanged event). */
export interface RecordingOutcome {
  state: 'COMPLETED' | 'FAILED';
  objectKey: string;
  durationMs: number;
  sizeBytes: number;
  error: string;
}

/** The recordingChanged event that reports how a part ended up; `error` stands in when the outcome has none. */
export const recordingChanged = (outcome: RecordingOutcome, error = '') => ({
  case: 'recordingChanged' as const,
  value: {
    state: outcome.state === 'COMPLETED' ? RecordingState.COMPLETED : RecordingState.FAILED,
    objectKey: outcome.objectKey,
    durationMs: BigInt(outcome.durationMs),
    sizeBytes: BigInt(outcome.sizeBytes),
    error: outcome.error || error,
  },
});

/** A recording shorter than the interview by more than this (and 10 %) is reported as failed. */
const MAX_MISSING_MS = 5_000;
/** Parts of 16 MiB: memory per upload stays small, a failed part is retried alone. */
const PART_SIZE = 16 * 1024 * 1024;

export function createRecordingStore(config: {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  ffprobePath: string;
  logger: Logger;
}) {
  const s3 = createS3Client({ ...config, partSize: PART_SIZE });
  let bucketReady: Promise<void> | null = null;
  const bucket = () => {
    bucketReady ??= ensureBucket(s3, config.bucket, config.region);
    return bucketReady;
  };

  /**
   * Checks a part (playable, long enough), uploads it in parts, checks the stored size, and only then deletes
   * the local copy. Anything wrong becomes a FAILED outcome with the reason; the local file is kept for a retry.
   */
  async function upload(part: RecordingPart, key: string): Promise<RecordingOutcome> {
    const expectedMs = part.endedAtMs - part.startedAtMs;
    const durationMs = (await probeDurationMs(config.ffprobePath, part.file)) ?? 0;
    let sizeBytes = 0;
    try {
      sizeBytes = fileSize(part.file);
    } catch {
      return {
        state: 'FAILED',
        objectKey: '',
        durationMs: 0,
        sizeBytes: 0,
        error: part.error ?? 'the recording file is missing',
      };
    }
    const problems: string[] = [];
    if (part.error) problems.push(part.error);
    if (durationMs === 0) problems.push('the recording is not playable');
    else if (expectedMs - durationMs > Math.max(MAX_MISSING_MS, expectedMs * 0.1))
      problems.push(
        `the recording lasts ${(durationMs / 1000).toFixed(1)} s of ${(expectedMs / 1000).toFixed(1)} s`,
      );
    if (durationMs === 0)
      return { state: 'FAILED', objectKey: '', durationMs, sizeBytes, error: problems.join('; ') };
    try {
      await bucket();
      await s3.fPutObject(config.bucket, key, part.file, { 'Content-Type': 'video/mp4' });
      const stored = await s3.statObject(config.bucket, key);
      if (stored.size !== sizeBytes) problems.push(`S3 holds ${stored.size} of ${sizeBytes} bytes`);
    } catch (error) {
      config.logger.error({ err: error, key }, 'recording upload failed; the local copy is kept');
      return {
        state: 'FAILED',
        objectKey: key,
        durationMs,
        sizeBytes,
        error: `upload failed (${error instanceof Error ? error.message : String(error)})`,
      };
    }
    if (problems.length === 0) {
      rmSync(part.file, { force: true });
      // The session's spool folder goes once it is empty (its other parts may still be uploading).
      rmdirQuietly(dirname(part.file));
    }
    return {
      state: problems.length ? 'FAILED' : 'COMPLETED',
      objectKey: key,
      durationMs,
      sizeBytes,
      error: problems.join('; '),
    };
  }

  return {
    bucket: config.bucket,
    upload,
    ping: () => s3.bucketExists(config.bucket),
    presign: (key: string, seconds = 3600) => s3.presignedGetObject(config.bucket, key, seconds),
  };
}

export type RecordingStore = ReturnType<typeof createRecordingStore>;

/** The object key of a part: recordings/<org>/<session>/<start>.mp4, the same path as in the spool. */
export const recordingKey = (orgId: string, sessionId: string, startedAtMs: number) =>
  `recordings/${orgId}/${sessionId}/${new Date(startedAtMs).toISOString().replaceAll(':', '-')}.mp4`;

/** Parts a previous run left in the spool (it stopped before uploading them): org, session and start time. */
export function leftoverParts(
  spoolDir: string,
): Array<{ orgId: string; sessionId: string; startedAtMs: number; file: string }> {
  const found: Array<{ orgId: string; sessionId: string; startedAtMs: number; file: string }> = [];
  let entries: string[];
  try {
    entries = readdirSync(spoolDir, { recursive: true }) as string[];
  } catch {
    return found;
  }
  for (const entry of entries) {
    const [orgId, sessionId, name] = relative(spoolDir, join(spoolDir, entry)).split(sep);
    const started = name?.match(/^(\d+)\.mp4$/)?.[1];
    if (orgId && sessionId && started)
      found.push({ orgId, sessionId, startedAtMs: Number(started), file: join(spoolDir, entry) });
  }
  return found;
}
