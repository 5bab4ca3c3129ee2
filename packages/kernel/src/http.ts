import 'reflect-metadata';
import {
  type ArgumentsHost,
  Catch,
  type DynamicModule,
  type ExceptionFilter,
  HttpException,
  type LoggerService,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { type ErrorCode, isAppError } from './errors.ts';

/** The JSON body of every error answer. `details` carries per-item problems (e.g. rejected events). */
export interface ErrorBody {
  error: { code: ErrorCode | 'INTERNAL'; message: string; details?: unknown };
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'BAD_USER_INPUT',
};

/** Maps an error to an HTTP answer in one place: known errors keep their code, unknown ones are logged and hidden. */
export function toHttpError(error: unknown, logger: Logger): { status: number; body: ErrorBody } {
  if (isAppError(error)) {
    return {
      status: error.httpStatus,
      body: { error: { code: error.code, message: error.message, details: error.details } },
    };
  }
  const status =
    error instanceof HttpException
      ? error.getStatus()
      : typeof (error as { statusCode?: unknown })?.statusCode === 'number'
        ? (error as { statusCode: number }).statusCode
        : 500;
  const code = CODE_BY_STATUS[status];
  if (status < 500 && code) {
    const message = error instanceof Error ? error.message : 'Bad request';
    return { status, body: { error: { code, message } } };
  }
  logger.error({ err: error }, 'unexpected error');
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'Internal error; it has been logged' } },
  };
}

@Catch()
class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toHttpError(error, this.logger);
    void reply.status(status).send(body);
  }
}

class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
}

export interface HttpServiceOptions {
  module: Type<unknown> | DynamicModule;
  logger: Logger;
  host: string;
  port: number;
  /** Largest request body accepted, in bytes; larger ones get 413 before any parsing. */
  bodyLimit?: number;
  /** Adds routes outside Nest to the Fastify instance (GraphQL, static files), before listening. */
  configure?: (fastify: FastifyInstance) => void;
}

/** Creates and starts a NestJS application on Fastify with the platform's logging and error mapping. */
export async function startHttpService(options: HttpServiceOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1_048_576 });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new ErrorFilter(options.logger));
  options.configure?.(app.getHttpAdapter().getInstance() as unknown as FastifyInstance);
  await app.listen(options.port, options.host);
  options.logger.info({ host: options.host, port: options.port }, 'listening');
  return app;
}
