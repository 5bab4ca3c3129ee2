import { createRequire } from 'node:module';
import { startTestGateway, type TestGateway } from '@proctor/gateway/testing';
import { startTestPipeline, type TestPipeline } from '@proctor/projector/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  candidateJoins,
  clipFromImage,
  endAndOpenReport,
  fakeCameraClip,
  interviewerSeesVideo,
  launchWithFakeCamera,
  openAndStart,
  paste,
  signInAndSchedule,
} from './interview-flow.ts';

// A whole interview in headless Chromium over the real stack: the interviewer schedules it, the candidate
// joins with a fake camera, the interviewer watches the video and gets alerts, ends it, reads the report.

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const USER = { email: 'e2e-interviewer@acme.test', password: 'e2e-password-123' };

let pipe: TestPipeline;
let gw: TestGateway;
let browser: Browser;

beforeAll(async () => {
  pipe = await startTestPipeline('e2e');
  gw = await startTestGateway(pipe, [`${USER.email}:${USER.password}:interviewer:acme`]);
  browser = await launchWithFakeCamera(fakeCameraClip(ARTIFACTS));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await pipe?.close();
});

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

type Axe = {
  run: (
    context: Document,
    options: object,
  ) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }>;
};

/** Saves a screenshot and checks the page with axe-core: no serious or critical accessibility violation. */
async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: Axe }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.nodes.length})`);
  });
  expect(violations, `accessibility of ${name}`).toEqual([]);
}

describe('an interview in the browser', () => {
  it('goes from scheduling to live video, alerts and the report', async () => {
    const interviewer = await (
      await browser.newContext({ viewport: { width: 1200, height: 900 } })
    ).newPage();
    const link = await signInAndSchedule(interviewer, gw.url, USER, 'Casey Candidate');
    expect(link).toContain('/interview?role=candidate&session=');
    await shot(interviewer, 'interviewer-scheduled');
    await openAndStart(interviewer);

    const candidate = await (await browser.newContext({ viewport: { width: 1000, height: 900 } })).newPage();
    await candidateJoins(candidate, link);
    await shot(candidate, 'candidate-live');

    // The interviewer's video element decodes the candidate's camera.
    await interviewerSeesVideo(interviewer);

    // The candidate pastes text: the interviewer is alerted live.
    await paste(candidate);
    await interviewer.getByRole('listitem').filter({ hasText: 'Pasted text' }).waitFor({ timeout: 20_000 });
    await shot(interviewer, 'interviewer-live');

    // 60 s offline mid-interview: events wait in IndexedDB and arrive once, each, when the network is back.
    await candidate.context().setOffline(true);
    for (let i = 0; i < 5; i++) await paste(candidate);
    await candidate.getByText(/events waiting to be sent/).waitFor({ timeout: 20_000 });
    await candidate.waitForTimeout(60_000);
    await candidate.context().setOffline(false);
    await candidate.getByText(/events waiting to be sent/).waitFor({ state: 'detached', timeout: 60_000 });
    const sessionId = new URL(link).searchParams.get('session') ?? '';
    const pastes = async () =>
      (await pipe.store.store.readSession(sessionId)).filter(
        (s) => s.event?.payload.case === 'clipboardPasted',
      );
    await expect.poll(async () => (await pastes()).length, { timeout: 20_000 }).toBe(6);
    expect(new Set((await pastes()).map((s) => s.event?.eventId)).size).toBe(6);

    await endAndOpenReport(interviewer, candidate);
    await expect
      .poll(() => interviewer.getByRole('heading', { level: 1 }).textContent())
      .toBe('Casey Candidate');
    await expect
      .poll(() =>
        interviewer
          .locator('table.timeline')
          .getByRole('cell', { name: /Pasted text/ })
          .count(),
      )
      .toBe(6);
    // Six pastes at 2 points each are among the deductions (the models may also flag the test pattern).
    await interviewer
      .locator('table.deductions tr')
      .filter({ hasText: 'Pasted text' })
      .filter({ hasText: '−12' })
      .waitFor();
    const scoreBefore = Number(await interviewer.locator('.score-value').textContent());
    await shot(interviewer, 'report');

    // Dismissing one paste with a note recomputes the score from events: two points back.
    const firstPaste = interviewer
      .locator('table.timeline tbody tr')
      .filter({ hasText: 'Pasted text' })
      .first();
    await firstPaste.getByRole('textbox').fill('candidate pasted their own code sample');
    await firstPaste.getByRole('button', { name: 'Dismiss' }).click();
    await expect
      .poll(async () => Number(await interviewer.locator('.score-value').textContent()), { timeout: 20_000 })
      .toBe(scoreBefore + 2);
    await interviewer.getByText('Dismissed: candidate pasted their own code sample').waitFor();
    await shot(interviewer, 'report-reviewed');
  });

  it('detects several faces in a real photo with the models in the browser, alerts the interviewer and reports it', async () => {
    // Real faces: a sample image that ships inside the @vladmandic/human npm package.
    const photo = createRequire(import.meta.url)
      .resolve('@vladmandic/human')
      .replace(/dist\/[^/]+$/, 'assets/screenshot-facedetect.jpg');
    const faces = await launchWithFakeCamera(clipFromImage(photo, ARTIFACTS, 'faces'));
    try {
      const interviewer = await (
        await faces.newContext({ viewport: { width: 1200, height: 900 } })
      ).newPage();
      const link = await signInAndSchedule(interviewer, gw.url, USER, 'Group Photo');
      await openAndStart(interviewer);
      const candidate = await (await faces.newContext()).newPage();
      await candidateJoins(candidate, link);
      await candidate.getByText(/faces in view/).waitFor({ timeout: 60_000 });
      await interviewer
        .getByRole('listitem')
        .filter({ hasText: 'Several faces' })
        .first()
        .waitFor({ timeout: 60_000 });
      await shot(candidate, 'candidate-several-faces');
      await endAndOpenReport(interviewer, candidate);
      await interviewer
        .locator('table.timeline')
        .getByRole('cell', { name: /Several faces/ })
        .first()
        .waitFor();
      expect(
        await interviewer.locator('.stat').filter({ hasText: 'Multiple faces' }).locator('dd').textContent(),
      ).toBe('1');
      await shot(interviewer, 'report-several-faces');
    } finally {
      await faces.close();
    }
  });

  it('tells a candidate with a broken link or a denied camera what to do, and starts nothing', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${gw.url}/interview?role=candidate&session=whatever`);
    await page.getByRole('alert').filter({ hasText: 'carries no access token' }).waitFor();
    const forged = await (await browser.newContext()).newPage();
    await forged.goto(`${gw.url}/interview?role=candidate&session=whatever#token=not-a-real-token`);
    await forged.getByRole('checkbox', { name: /I understand and agree/ }).check();
    await forged.getByRole('button', { name: 'Check my camera and microphone' }).click();
    await forged.getByRole('button', { name: 'Join the interview' }).click();
    await forged
      .getByRole('alert')
      .filter({ hasText: 'expired or belongs to another interview' })
      .waitFor({ timeout: 20_000 });

    const denied = await browser.newContext({ permissions: [] });
    const deniedPage = await denied.newPage();
    await deniedPage.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await deniedPage.goto(`${gw.url}/interview?role=candidate&session=whatever#token=t`);
    await deniedPage.getByRole('checkbox', { name: /I understand and agree/ }).check();
    await deniedPage.getByRole('button', { name: 'Check my camera and microphone' }).click();
    await deniedPage.getByRole('alert').filter({ hasText: 'access was denied' }).waitFor();

    // LiveKit unreachable: the candidate is told, and no room connection is left half-open.
    const interviewer = await (await browser.newContext()).newPage();
    const link = await signInAndSchedule(interviewer, gw.url, USER, 'No Video Service');
    const offline = await (await browser.newContext()).newPage();
    await offline.routeWebSocket(/:7880\//, (ws) => ws.close({ code: 1011, reason: 'unreachable' }));
    await offline.goto(link);
    await offline.getByRole('checkbox', { name: /I understand and agree/ }).check();
    await offline.getByRole('button', { name: 'Check my camera and microphone' }).click();
    await offline.getByRole('button', { name: 'Join the interview' }).click();
    await offline
      .getByRole('alert')
      .filter({ hasText: 'Could not reach the video service' })
      .waitFor({ timeout: 60_000 });
    expect(await offline.getByText('Connected · monitoring active').count()).toBe(0);
    await shot(offline, 'candidate-livekit-unreachable');
    await shot(deniedPage, 'candidate-camera-denied');
  });

  it('can be taken with the keyboard alone, and still works at 200 % zoom', async () => {
    // Keyboard only: the interviewer signs in and schedules, the candidate consents and joins, with Tab and
    // Enter/Space; each control must be reachable and show where the focus is.
    const interviewer = await (
      await browser.newContext({ viewport: { width: 1200, height: 900 } })
    ).newPage();
    await interviewer.goto(`${gw.url}/interview?role=interviewer`);
    await interviewer.waitForLoadState('networkidle');
    await interviewer.getByLabel('Email').waitFor();
    await tabTo(interviewer, 'Email');
    await interviewer.keyboard.type(USER.email);
    await tabTo(interviewer, 'Password');
    await interviewer.keyboard.type(USER.password);
    await interviewer.keyboard.press('Enter');
    await tabTo(interviewer, 'Candidate name');
    await interviewer.keyboard.type('Kim Keyboard');
    await tabTo(interviewer, 'Candidate email');
    await interviewer.keyboard.type('kim@example.com');
    await tabTo(interviewer, 'Title');
    await interviewer.keyboard.type('Accessibility check');
    await tabTo(interviewer, 'Create and get the candidate link');
    await interviewer.keyboard.press('Enter');
    const link = await interviewer.getByLabel('Candidate link').inputValue();
    expect(link).toContain('/interview?role=candidate');

    // 200 % zoom on a 1280×800 screen is a 640×400 CSS-pixel viewport at twice the pixel density.
    const candidate = await (
      await browser.newContext({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 })
    ).newPage();
    await candidate.goto(link);
    // The page has settled (route code loaded, the link's token taken from the address) before keys go in.
    await candidate.waitForLoadState('networkidle');
    await candidate.getByRole('checkbox', { name: /I understand and agree/ }).waitFor();
    await tabTo(candidate, /I understand and agree/);
    await candidate.keyboard.press('Space');
    await expect
      .poll(() => candidate.getByRole('checkbox', { name: /I understand and agree/ }).isChecked())
      .toBe(true);
    await tabTo(candidate, 'Check my camera and microphone');
    await candidate.keyboard.press('Enter');
    await tabTo(candidate, 'Join the interview');
    await candidate.keyboard.press('Enter');
    await candidate.getByText('Connected · monitoring active').waitFor({ timeout: 30_000 });
    await expectNoHorizontalScroll(candidate);
    await shot(candidate, 'candidate-zoom-200');

    await interviewer.getByRole('button', { name: 'Open the interview' }).focus();
    await interviewer.keyboard.press('Enter');
    await tabTo(interviewer, 'Start the interview');
    await interviewer.keyboard.press('Enter');
    await tabTo(interviewer, 'End the interview');
    await interviewer.keyboard.press('Enter');
    await tabTo(interviewer, 'Open the report');
    await interviewer.keyboard.press('Enter');
    await interviewer.locator('html[data-report-ready=true]').waitFor({ timeout: 30_000 });
    await interviewer.setViewportSize({ width: 600, height: 450 });
    await expectNoHorizontalScroll(interviewer, 'table');
    await shot(interviewer, 'report-zoom-200');
  });
});

/** Presses Tab until the focused element's accessible name matches; fails if it is never reached. */
async function tabTo(page: Page, name: string | RegExp) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      // Nothing focused yet (the document itself): its text is the whole page, not a control's name.
      if (!el || el === document.body || el === document.documentElement) return { name: '', outline: '' };
      const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
      const name =
        el.getAttribute('aria-label') ?? label ?? el.closest('label')?.textContent ?? el.textContent ?? '';
      const style = getComputedStyle(el);
      return { name: name.trim(), outline: `${style.outlineStyle} ${style.outlineWidth} ${style.boxShadow}` };
    });
    if (typeof name === 'string' ? focused.name === name : name.test(focused.name)) {
      // Where the focus is must be visible: an outline or a focus ring.
      expect(focused.outline, `focus indicator on "${focused.name}"`).not.toMatch(/^none 0px none$/);
      return;
    }
  }
  throw new Error(`"${name}" cannot be reached with the Tab key on ${page.url()}`);
}

/** Content reflows: nothing wider than the viewport except inside elements that scroll on their own. */
async function expectNoHorizontalScroll(page: Page, scrollable = '') {
  const overflow = await page.evaluate((allowed) => {
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth <= root.clientWidth + 1) return [];
    return [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
      .filter((el) => !(allowed && el.closest(allowed)))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
  }, scrollable);
  expect(overflow, `elements wider than the viewport on ${page.url()}`).toEqual([]);
}
