import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { launchChromium } from '@proctor/testkit';
import type { Browser, Page } from 'playwright-core';

// The steps of an interview as people take them in the browser; shared by the e2e tests and `demo`.

/** A fake camera clip for Chromium (which loops it): ffmpeg's test pattern, 640×480, 3 seconds. */
export function fakeCameraClip(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const clip = `${dir}/camera.y4m`;
  if (!existsSync(clip)) {
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=640x480:rate=15',
      '-t',
      '3',
      '-pix_fmt',
      'yuv420p',
      '-y',
      clip,
    ]);
  }
  return clip;
}

/** A fake camera clip showing a still image (real faces from a package's sample photos), 640×480. */
export function clipFromImage(image: string, dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const clip = `${dir}/${name}.y4m`;
  if (!existsSync(clip)) {
    const fit = 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2';
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-loop',
      '1',
      '-i',
      image,
      '-vf',
      fit,
      '-t',
      '2',
      '-r',
      '10',
      '-pix_fmt',
      'yuv420p',
      '-y',
      clip,
    ]);
  }
  return clip;
}

/** Headless Chromium whose camera and microphone are fakes fed from `clip`, granted without a prompt. */
export function launchWithFakeCamera(clip: string): Promise<Browser> {
  return launchChromium({
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${clip}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

export async function signInAndSchedule(
  page: Page,
  baseUrl: string,
  user: { email: string; password: string },
  candidateName: string,
): Promise<string> {
  await page.goto(`${baseUrl}/interview?role=interviewer`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Candidate name').fill(candidateName);
  await page.getByLabel('Candidate email').fill('candidate@example.com');
  await page.getByLabel('Title').fill('Frontend engineer');
  await page.getByRole('button', { name: 'Create and get the candidate link' }).click();
  return page.getByLabel('Candidate link').inputValue();
}

export async function openAndStart(interviewer: Page): Promise<void> {
  await interviewer.getByRole('button', { name: 'Open the interview' }).click();
  await interviewer.getByRole('button', { name: 'Start the interview' }).click();
  await interviewer.getByRole('button', { name: 'End the interview' }).waitFor();
}

export async function candidateJoins(candidate: Page, link: string): Promise<void> {
  await candidate.goto(link);
  await candidate.getByRole('checkbox', { name: /I understand and agree/ }).check();
  await candidate.getByRole('button', { name: 'Check my camera and microphone' }).click();
  await candidate.getByRole('button', { name: 'Join the interview' }).click();
  await candidate.getByText('Connected · monitoring active').waitFor({ timeout: 30_000 });
}

/** Waits until the interviewer's page has decoded frames of the candidate's camera. */
export async function interviewerSeesVideo(interviewer: Page): Promise<void> {
  await interviewer.waitForFunction(
    () => {
      const video = document.querySelector<HTMLVideoElement>('[data-testid=candidate-video]');
      return !!video && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > 0;
    },
    undefined,
    { timeout: 60_000 },
  );
}

export const paste = (candidate: Page) =>
  candidate.evaluate(() =>
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: new DataTransfer() })),
  );

export async function endAndOpenReport(interviewer: Page, candidate: Page): Promise<void> {
  await interviewer.getByRole('button', { name: 'End the interview' }).click();
  await candidate.getByRole('heading', { name: 'The interview has ended' }).waitFor({ timeout: 30_000 });
  await candidate.getByText('Everything was sent.').waitFor({ timeout: 30_000 });
  await interviewer.getByRole('link', { name: 'Open the report' }).click();
  await interviewer.locator('html[data-report-ready=true]').waitFor({ timeout: 30_000 });
}
