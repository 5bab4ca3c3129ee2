import { launchChromium as launch } from '@proctor/chromium';
import type { Browser, LaunchOptions } from 'playwright-core';

export { CHROMIUM_ARGS } from '@proctor/chromium';

/** The stack's Chromium (CHROMIUM_PATH, default Debian's /usr/bin/chromium) for tests. */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return launch(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', options);
}
