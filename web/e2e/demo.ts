/**
 * demo: a whole interview, unattended, against the running platform (bash deploy/stack.sh platform):
 * an interviewer and a candidate whose fake camera plays ~70 s of real footage with an absence, a second
 * person, someone looking down and a phone (packages/detector/eval/demo-clip.ts), a paste and a moment away from the
 * window; then the report as a PDF, the score and the flags it lists.
 *
 *   bash deploy/demo.sh            (starts the platform if needed)
 */
import { writeFileSync } from 'node:fs';
import { DEMO_STRETCHES, demoClip } from '@proctor/detector/demo-clip';
import { readStackEnv } from '@proctor/testkit';
import {
  candidateJoins,
  endAndOpenReport,
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

say('building the camera clip from real footage (packages fetched once into ~/.cache/proctor-eval)');
const browser = await launchWithFakeCamera(demoClip(out));
const clipSeconds = DEMO_STRETCHES.reduce((total, s) => total + s.seconds, 0);
try {
  const interviewer = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  const candidate = await (await browser.newContext()).newPage();
  say(`interviewer ${email} schedules an interview at ${base}`);
  const link = await signInAndSchedule(interviewer, base, { email, password }, 'Demo Candidate');
  await openAndStart(interviewer);
  say('the candidate joins with a fake camera');
  const joinedAt = Date.now();
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
  let at = 0;
  for (const stretch of DEMO_STRETCHES) {
    say(`camera, ${at}–${at + stretch.seconds} s: ${stretch.what}`);
    at += stretch.seconds;
  }
  await candidate.waitForTimeout(Math.max(0, clipSeconds * 1000 + 5000 - (Date.now() - joinedAt)));
  say('the interviewer ends the interview and opens the report');
  await endAndOpenReport(interviewer, candidate);
  // The verifier uploads the recording once the room is closed; the report shows it when stored.
  const recording = interviewer.locator('.stat').filter({ hasText: 'Recording' }).locator('dd');
  for (let i = 0; i < 30 && !(await recording.textContent())?.startsWith('saved'); i++) {
    await interviewer.waitForTimeout(2000);
    await interviewer.reload();
    await interviewer.locator('html[data-report-ready=true]').waitFor({ timeout: 30_000 });
  }
  say(`recording: ${await recording.textContent()}`);
  await interviewer.screenshot({ path: `${out}demo-report.png`, fullPage: true });
  const score = await interviewer.locator('.score-value').textContent();
  // The PDF as the platform exports it: the report page in print mode.
  const printed = await interviewer.context().newPage();
  await printed.goto(`${interviewer.url()}?print=1`);
  await printed.locator('html[data-report-ready=true]').waitFor({ timeout: 30_000 });
  const pdf = await printed.pdf({ format: 'A4', printBackground: true });
  writeFileSync(`${out}demo-report.pdf`, pdf);
  const flags = await interviewer.locator('table.timeline tbody tr').evaluateAll((rows) =>
    rows.map((row) =>
      [...row.querySelectorAll('td')]
        .slice(0, 5)
        .map((td) => td.textContent?.trim())
        .join(' | '),
    ),
  );
  console.log(`flags in the report (at | what | lasted | confidence | seen by):\n  ${flags.join('\n  ')}`);
  console.log(`integrity score: ${score}/100`);
  console.log(`report: ${interviewer.url()}`);
  console.log(`PDF: ${out}demo-report.pdf`);
} finally {
  await browser.close();
}
