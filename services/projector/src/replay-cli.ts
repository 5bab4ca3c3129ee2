import { createLogger } from '@proctor/kernel';
import { connectProjections } from './app.ts';
import { readConfig } from './environment.ts';
import { replay } from './replay.ts';

// pnpm --filter @proctor/projector replay [sessions|analytics]   (default: both)
const config = readConfig();
const logger = createLogger('projector-replay', config.LOG_LEVEL);
const only = process.argv[2];
const connected = await connectProjections(config);
const chosen = connected.projections.filter((p) => !only || p.name.includes(only));
if (chosen.length === 0) {
  console.error(`unknown projection "${only}"; choose sessions or analytics`);
  process.exit(2);
}
const replayed = await replay(connected.store, chosen, logger);
logger.info({ replayed, projections: chosen.map((p) => p.name) }, 'replay finished');
await connected.close();
