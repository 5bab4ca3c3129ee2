import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { startTestGateway, type TestGateway } from '@proctor/gateway/testing';
import { startTestPipeline, type TestPipeline } from '@proctor/projector/testing';
import { eventually } from '@proctor/testkit';
import { startTestVerifier, type TestVerifier } from '@proctor/verifier/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  candidateJoins,
  clipFromImage,
  endAndOpenReport,
  interviewerSeesVideo,
  launchWithFakeCamera,
  openAndStart,
  signInAndSchedule,
} from './interview-flow.ts';

// A tampered browser: the candidate's page cannot load the detector's models (as if someone blocked or
// patched them), so it reports nothing while the camera shows four people. The server-side verifier, which
// watches the room itself, must catch it, and must record the interview to S3.

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const ORG = 'tamper-org';
const USER = { email: 'verifier-interviewer@tamper.test', password: 'verifier-password-123' };

let pipe: TestPipeline;
let gw: TestGateway;
let verifier: TestVerifier;
let browser: Browser;

beforeAll(async () => {
  pipe = await startTestPipeline('verify');
  gw = await startTestGateway(pipe, [`${USER.email}:${USER.password}:interviewer:${ORG}`]);
  verifier = await startTestVerifier(pipe.ns, [ORG]);
  // Real faces: a sample photo that ships inside the @vladmandic/human npm package.
  const photo = createRequire(import.meta.url)
    .resolve('@vladmandic/human')
    .replace(/dist\/[^/]+$/, 'assets/screenshot-facedetect.jpg');
  browser = await launchWithFakeCamera(clipFromImage(photo, ARTIFACTS, 'faces'));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await verifier?.close();
  await gw?.close();
  await pipe?.close();
});

interface Report {
  flags: { kind: string; label: string; source: string; evidence?: { snapshotRef: string } }[];
  recording: { state: string; objectKey: string; durationMs: number; sizeBytes: number; error: string };
}

describe('server-side verification', () => {
  it('catches what a tampered browser hides, alerts the interviewer, and records the interview to S3', async () => {
    const interviewer = await (
      await browser.newContext({ viewport: { width: 1200, height: 900 } })
    ).newPage();
    const link = await signInAndSchedule(interviewer, gw.url, USER, 'Tess Tampered');
    const sessionId = new URL(link).searchParams.get('session') ?? '';
    await openAndStart(interviewer);

    const candidate = await (await browser.newContext()).newPage();
    await candidate.route('**/detector/**', (route) => route.abort());
    await candidateJoins(candidate, link);
    await interviewerSeesVideo(interviewer);
    const joinedAt = Date.now();

    // The verifier found the room by itself and samples the candidate's camera.
    await eventually(async () => {
      const status = (await (await fetch(`${verifier.url}/status`)).json()) as {
        rooms: { sessionId: string; samples: number; recording: boolean }[];
      };
      const room = status.rooms.find((r) => r.sessionId === sessionId);
      expect(room?.samples).toBeGreaterThan(2);
      expect(room?.recording).toBe(true);
    }, 60_000);

    // The browser never reported the four faces: the interviewer is alerted by the server check.
    await interviewer
      .getByRole('listitem')
      .filter({ hasText: 'Server check: browser did not report several faces' })
      .first()
      .waitFor({ timeout: 90_000 });
    await candidate.waitForTimeout(Math.max(0, 30_000 - (Date.now() - joinedAt)));
    const leftAt = Date.now();
    await endAndOpenReport(interviewer, candidate);
    await interviewer
      .getByRole('heading', { name: "Server-side check disagrees with the candidate's browser" })
      .waitFor();
    await interviewer.screenshot({ path: `${ARTIFACTS}report-verifier.png`, fullPage: true });

    // The report: the disagreement (with the verifier's snapshot as evidence) and a completed recording.
    const signedIn = (
      await gw.graphql('mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }', {
        e: USER.email,
        p: USER.password,
      })
    ).data?.signIn as { token: string } | undefined;
    const token = signedIn?.token ?? '';
    const report = await eventually(async () => {
      const res = await fetch(`${gw.url}/api/reports/${sessionId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as Report;
      expect(body.recording.state).toBe('completed');
      return body;
    }, 60_000);
    const disagreement = report.flags.find(
      (f) => f.kind === 'DISAGREEMENT' && /multiple faces/.test(f.label),
    );
    expect(disagreement?.source).toBe('verifier');
    expect(disagreement?.evidence?.snapshotRef).toMatch(/^data:image\/jpeg;base64,/);
    expect(report.flags.filter((f) => f.source === 'browser' && f.kind === 'MULTIPLE_FACES')).toEqual([]);

    // The recording is in S3, playable, and as long as the candidate was in the room (within a few seconds).
    expect(report.recording.objectKey).toMatch(new RegExp(`^recordings/${ORG}/${sessionId}/.+\\.mp4$`));
    const url = (
      await gw.graphql('query($s: ID!) { recordingUrl(sessionId: $s) }', { s: sessionId }, { token })
    ).data?.recordingUrl as string;
    const probed = JSON.parse(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'format=duration,size:stream=codec_name',
        '-of',
        'json',
        url,
      ]).toString(),
    ) as { format: { duration: string; size: string }; streams: { codec_name: string }[] };
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Number(probed.format.size)).toBe(report.recording.sizeBytes);
    const seconds = Number(probed.format.duration);
    expect(Math.abs(seconds * 1000 - report.recording.durationMs)).toBeLessThan(100);
    expect(seconds).toBeGreaterThan((leftAt - joinedAt) / 1000 - 5);
    expect(seconds).toBeLessThan((Date.now() - joinedAt) / 1000 + 10);

    // The report page plays it.
    await interviewer.reload();
    await interviewer.getByRole('heading', { name: 'Recording' }).waitFor({ timeout: 30_000 });
    await interviewer.waitForFunction(() => (document.querySelector('video')?.duration ?? 0) > 0, undefined, {
      timeout: 30_000,
    });
  });
});
