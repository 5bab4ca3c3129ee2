export { CHROMIUM_ARGS, launchChromium } from './chromium.ts';
export { eventually } from './eventually.ts';
export { uniqueName } from './namespace.ts';
export { readStackEnv, stackValue } from './stack-env.ts';
