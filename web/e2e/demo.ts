/**
 * demo: a whole interview, unattended, against the running platform (bash deploy/stack.sh platform):
 * an interviewer and a candidate with a fake camera in headless Chromium, a few suspicious moments,
 * then the report as a PDF and the score.
 *
 *   bash deploy/demo.sh            (starts the platform if needed)
 */
import { writeFileSync } from 'node:fs';
import { readStackEnv } from '@proctor/testkit';
import {
  candidateJoins,
  endAndOpenReport,
  fakeCameraClip,
  interviewerSeesVideo,
  launchWithFakeCamera,
  openAndStart,
  paste,
  signInAndSchedule,
} from './interview-flow.ts';

const base = process.env.PUBLIC_URL ?? 'http://127.0.0.1:4000';
const [email = '', password = ''] = (readStackEnv().SEED_USERS ?? '').split(',')[0]?.split(':') ?? [];
const out = new URL('../../test-artifacts/', import.meta.url).pathname;
const say = (message: string) => console.error(`[demo] ${message}`);

const browser = await launchWithFakeCamera(fakeCameraClip(out));
try {
  const interviewer = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  const candidate = await (await browser.newContext()).newPage();
  say(`interviewer ${email} schedules an interview at ${base}`);
  const link = await signInAndSchedule(interviewer, base, { email, password }, 'Demo Candidate');
  await openAndStart(interviewer);
  say('the candidate joins with a fake camera');
  await candidateJoins(candidate, link);
  await interviewerSeesVideo(interviewer);
  say('the interviewer sees the video; the candidate pastes text twice and leaves the tab for a moment');
  await paste(candidate);
  await paste(candidate);
  await candidate.evaluate(() => window.dispatchEvent(new Event('blur')));
  await candidate.waitForTimeout(2000);
  await candidate.evaluate(() => window.dispatchEvent(new Event('focus')));
  await interviewer
    .getByRole('listitem')
    .filter({ hasText: 'Pasted text' })
    .first()
    .waitFor({ timeout: 20_000 });
  say('the interviewer ends the interview and opens the report');
  await endAndOpenReport(interviewer, candidate);
  const score = await interviewer.locator('.score-value').textContent();
  const pdf = await interviewer.pdf({ format: 'A4', printBackground: true });
  writeFileSync(`${out}demo-report.pdf`, pdf);
  await interviewer.screenshot({ path: `${out}demo-report.png`, fullPage: true });
  console.log(`integrity score: ${score}/100`);
  console.log(`report: ${interviewer.url()}`);
  console.log(`PDF: ${out}demo-report.pdf`);
} finally {
  await browser.close();
}
