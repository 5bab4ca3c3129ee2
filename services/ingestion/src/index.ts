import { createLogger, registerShutdown } from '@proctor/kernel';
import { createIngestionApp } from './app.ts';
import { readConfig } from './environment.ts';

async function main() {
  const config = readConfig();
  const logger = createLogger('ingestion', config.LOG_LEVEL);
  const ingestion = await createIngestionApp(config, logger);
  registerShutdown(logger, [{ name: 'ingestion', run: () => ingestion.close() }]);
}

main().catch((error: unknown) => {
  console.error('ingestion failed to start:', error);
  process.exit(1);
});
