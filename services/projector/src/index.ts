import { createLogger, registerShutdown } from '@proctor/kernel';
import { createProjectorApp } from './app.ts';
import { readConfig } from './environment.ts';

async function main() {
  const config = readConfig();
  const logger = createLogger('projector', config.LOG_LEVEL);
  const service = await createProjectorApp(config, logger);
  registerShutdown(logger, [{ name: 'projector', run: () => service.close() }]);
}

main().catch((error: unknown) => {
  console.error('projector failed to start:', error);
  process.exit(1);
});
