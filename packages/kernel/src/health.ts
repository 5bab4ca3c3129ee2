import { Controller, type DynamicModule, Get, HttpCode, Inject, Module, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** A dependency the service needs to do its work; throws (or rejects) when it is not usable. */
export type ReadinessCheck = () => Promise<unknown>;
export type ReadinessChecks = Record<string, ReadinessCheck>;

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

export async function checkReadiness(checks: ReadinessChecks, timeoutMs = 2_000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      try {
        await withTimeout(check(), timeoutMs, `${name} did not answer within ${timeoutMs} ms`);
        return [name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [name, { ok: false, error: message, ms: Math.round(performance.now() - started) }] as const;
      }
    }),
  );
  return { ready: entries.every(([, result]) => result.ok), checks: Object.fromEntries(entries) };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its dependencies answer). */
@Controller()
class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessChecks) {}

  @Get('healthz')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res() reply: FastifyReply) {
    const report = await checkReadiness(this.checks);
    await reply.status(report.ready ? 200 : 503).send(report);
  }
}

@Module({})
class HealthModule {}

/** The module to import in a service's root module, with the checks that decide readiness. */
export function healthModule(checks: ReadinessChecks): DynamicModule {
  return {
    module: HealthModule,
    controllers: [HealthController],
    providers: [{ provide: READINESS_CHECKS, useValue: checks }],
  };
}
