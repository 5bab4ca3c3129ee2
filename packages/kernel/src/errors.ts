/**
 * Named errors with a stable `code`. Boundaries (HTTP filter, GraphQL error mapper) translate them in one
 * place; anything that is not an AppError is an unexpected failure and is never shown to a client.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'DEPENDENCY_UNAVAILABLE'
  | 'CONFIG_INVALID';

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  DEPENDENCY_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
};

export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  constructor(message: string, details?: unknown) {
    super('BAD_USER_INPUT', message, { details });
  }
}

export class UnauthenticatedError extends AppError {
  override readonly name = 'UnauthenticatedError';
  constructor(message = 'Authentication required: send a valid bearer token') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends AppError {
  override readonly name = 'ForbiddenError';
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class PayloadTooLargeError extends AppError {
  override readonly name = 'PayloadTooLargeError';
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', message);
  }
}

export class DependencyUnavailableError extends AppError {
  override readonly name = 'DependencyUnavailableError';
  constructor(dependency: string, cause?: unknown) {
    super('DEPENDENCY_UNAVAILABLE', `${dependency} is unavailable; retry shortly`, { cause });
  }
}

export class ConfigError extends AppError {
  override readonly name = 'ConfigError';
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
