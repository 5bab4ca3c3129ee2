import { createLogger, registerShutdown } from '@proctor/kernel';
import { createEventStoreApp } from './app.ts';
import { readConfig } from './environment.ts';

async function main() {
  const config = readConfig();
  const logger = createLogger('event-store', config.LOG_LEVEL);
  const service = await createEventStoreApp(config, logger);
  registerShutdown(logger, [{ name: 'event-store', run: () => service.close() }]);
}

main().catch((error: unknown) => {
  console.error('event-store failed to start:', error);
  process.exit(1);
});
