import type { Logger } from 'pino';

export type ShutdownStep = { name: string; run: () => Promise<unknown> | unknown };

/**
 * Runs the steps in order on SIGTERM/SIGINT (stop taking work first, then close connections),
 * then exits. A second signal, or steps taking longer than `timeoutMs`, force the exit.
 */
export function registerShutdown(
  logger: Logger,
  steps: ShutdownStep[],
  timeoutMs = 10_000,
): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      for (const step of steps) {
        try {
          await step.run();
        } catch (error) {
          logger.warn({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      logger.info('stopped');
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    logger.info({ signal }, 'signal received');
    void shutdown().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return shutdown;
}
