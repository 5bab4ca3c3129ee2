import { readStackEnv } from './stack-env.ts';

// Integration and e2e specs talk to the stack that `pnpm stack up` started; an exported variable wins.
for (const [key, value] of Object.entries(readStackEnv())) {
  process.env[key] ??= value;
}
