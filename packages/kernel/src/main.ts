import { createLogger, type Logger } from './logger.ts';
import { registerShutdown } from './shutdown.ts';

/**
 * A service's `main()`: reads its configuration (exiting with a clear message when invalid), starts it,
 * and stops it cleanly on SIGTERM/SIGINT. A failure to start exits non-zero with the reason.
 */
export function runService<C extends { LOG_LEVEL: string }>(
  name: string,
  readConfig: () => C,
  start: (config: C, logger: Logger) => Promise<{ close(): Promise<void> }>,
): void {
  const config = readConfig();
  const logger = createLogger(name, config.LOG_LEVEL);
  start(config, logger)
    .then((service) => registerShutdown(logger, [{ name, run: () => service.close() }]))
    .catch((error: unknown) => {
      logger.fatal({ err: error }, `${name} failed to start`);
      console.error(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
}
