export { env, loadConfig, loadConfigOrExit } from './config.ts';
export {
  AppError,
  ConfigError,
  ConflictError,
  DependencyUnavailableError,
  type ErrorCode,
  ForbiddenError,
  isAppError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthenticatedError,
  ValidationError,
} from './errors.ts';
export {
  checkReadiness,
  healthModule,
  type ReadinessCheck,
  type ReadinessChecks,
  type ReadinessReport,
} from './health.ts';
export { type ErrorBody, type HttpServiceOptions, startHttpService, toHttpError } from './http.ts';
export { createLogger, forSession, type Logger } from './logger.ts';
export { runService } from './main.ts';
export { registerShutdown, type ShutdownStep } from './shutdown.ts';
