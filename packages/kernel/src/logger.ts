import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Structured JSON logs; every line carries the service name, and per-session work logs through `forSession`. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['req.headers.authorization', '*.token', '*.password', '*.secret'],
      censor: '[redacted]',
    },
  });
}

export function forSession(logger: Logger, sessionId: string): Logger {
  return logger.child({ sessionId });
}
