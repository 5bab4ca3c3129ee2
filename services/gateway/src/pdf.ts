import { launchChromium } from '@proctor/chromium';
import type { Logger } from '@proctor/kernel';
import type { Browser } from 'playwright-core';

/**
 * Prints web pages to PDF with one warm Chromium: each render is a fresh context (no shared cookies or
 * storage) in the same browser, at most `concurrency` at once; a crashed browser is relaunched.
 */
export function createPdfRenderer(options: { executablePath: string; concurrency: number; logger: Logger }) {
  let browser: Promise<Browser> | undefined;
  let active = 0;
  const waiting: (() => void)[] = [];

  const getBrowser = () => {
    browser ??= launchChromium(options.executablePath).then((b) => {
      b.on('disconnected', () => {
        options.logger.warn('PDF browser disconnected; relaunching on next render');
        browser = undefined;
      });
      return b;
    });
    return browser;
  };

  async function slot<T>(work: () => Promise<T>): Promise<T> {
    if (active >= options.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await work();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  }

  return {
    /** Warms the browser up, so the first report does not pay for the launch. */
    warm: () => getBrowser().then(() => undefined),
    /** Renders `url`, waiting for the page to set data-report-ready on <html>. */
    render(url: string, timeoutMs = 30_000): Promise<Buffer> {
      return slot(async () => {
        const context = await (await getBrowser()).newContext({ viewport: { width: 1100, height: 1400 } });
        try {
          const page = await context.newPage();
          await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
          const state = await page.waitForSelector('html[data-report-ready]', {
            state: 'attached',
            timeout: timeoutMs,
          });
          if ((await state.getAttribute('data-report-ready')) !== 'true')
            throw new Error('the report page could not load the report');
          return await page.pdf({
            format: 'A4',
            printBackground: true,
            margin: { top: '12mm', bottom: '14mm', left: '10mm', right: '10mm' },
            displayHeaderFooter: true,
            headerTemplate: '<span></span>',
            footerTemplate:
              '<div style="font-size:8px;width:100%;text-align:center;color:#555">Proctoring report · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
          });
        } finally {
          await context.close();
        }
      });
    },
    async close() {
      const b = await browser?.catch(() => undefined);
      await b?.close();
    },
  };
}

export type PdfRenderer = ReturnType<typeof createPdfRenderer>;
