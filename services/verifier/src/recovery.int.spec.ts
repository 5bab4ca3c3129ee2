import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingState } from '@proctor/domain';
import { createS3Client } from '@proctor/pipeline';
import { startTestPipeline, type TestPipeline } from '@proctor/projector/testing';
import { eventually, stackValue } from '@proctor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoolPath } from './recorder.ts';
import { startTestVerifier } from './testing.ts';

// A verifier killed mid-interview leaves its recording part in the spool (fragmented MP4, playable up to the
// last fragment). The next verifier to start uploads it and reports it, instead of losing the interview.

let pipe: TestPipeline;
beforeAll(async () => {
  pipe = await startTestPipeline('recovery');
});
afterAll(() => pipe?.close());

describe('recording recovery after a crash', () => {
  it('uploads a part left in the spool and reports it on the session', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'spool-'));
    const sessionId = await pipe.createSession('org-crash');
    const startedAt = Date.now() - 60_000;
    const part = spoolPath(spool, 'org-crash', sessionId, startedAt);
    mkdirSync(join(spool, 'org-crash', sessionId), { recursive: true });
    // What the recorder writes: H.264 + AAC in fragmented MP4, here 6 s of a test pattern and a tone.
    execFileSync('ffmpeg', [
      ...['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-f', 'lavfi'],
      ...['-i', 'sine=frequency=440:sample_rate=48000', '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast'],
      ...['-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', part],
    ]);

    const verifier = await startTestVerifier(pipe.ns, ['org-none'], { VERIFIER_SPOOL_DIR: spool });
    try {
      const event = await eventually(async () => {
        const stored = await pipe.store.store.readSession(sessionId);
        const found = stored.find((s) => s.event?.payload.case === 'recordingChanged')?.event;
        expect(found).toBeDefined();
        return found;
      }, 30_000);
      const changed = event?.payload.case === 'recordingChanged' ? event.payload.value : undefined;
      expect(changed?.state).toBe(RecordingState.COMPLETED);
      expect(Number(changed?.durationMs)).toBeGreaterThan(5_500);
      expect(Number(changed?.durationMs)).toBeLessThan(6_500);
      const s3 = createS3Client({
        endpoint: stackValue('S3_ENDPOINT'),
        region: stackValue('S3_REGION'),
        accessKey: stackValue('S3_ACCESS_KEY'),
        secretKey: stackValue('S3_SECRET_KEY'),
      });
      const stat = await s3.statObject(verifier.config.RECORDINGS_BUCKET, changed?.objectKey ?? '');
      expect(stat.size).toBe(Number(changed?.sizeBytes));
      expect(existsSync(part)).toBe(false); // uploaded and verified, so the local copy is gone
      await eventually(async () =>
        expect((await pipe.projector.sessions.get(sessionId))?.recording.state).toBe('completed'),
      );
    } finally {
      await verifier.close();
    }
  });
});
