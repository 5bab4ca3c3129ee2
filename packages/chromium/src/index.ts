import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

/**
 * Flags that keep Chromium quiet on a machine with no internet and no GPU: no background networking, no
 * component updates, software rendering; `--no-sandbox` because services and CI run as root.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches Debian's Chromium (never a downloaded browser) headless, with CHROMIUM_ARGS plus `options.args`. */
export function launchChromium(executablePath: string, options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    ...options,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}
