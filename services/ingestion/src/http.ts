import {
  Body,
  Controller,
  type DynamicModule,
  Get,
  Headers,
  HttpCode,
  Inject,
  Module,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import { bearerToken, type TokenService } from '@proctor/auth';
import { healthModule, type ReadinessChecks, UnauthenticatedError } from '@proctor/kernel';
import type { IngestService } from './ingest.ts';

const INGEST = Symbol('INGEST');
const TOKENS = Symbol('TOKENS');

/** The seed's REST API, kept exactly: POST /api/logs, PATCH /api/sessions/:id/end, GET /api/reports/:id. */
@Controller('api')
class IngestionController {
  constructor(
    @Inject(INGEST) private readonly ingest: IngestService,
    @Inject(TOKENS) private readonly tokens: TokenService,
  ) {}

  private async principal(authorization: string | undefined) {
    const token = bearerToken(authorization);
    if (!token) throw new UnauthenticatedError('Send the session token as "Authorization: Bearer <token>"');
    return this.tokens.verify(token);
  }

  @Post('logs')
  @HttpCode(200)
  async postLogs(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    return this.ingest.postLogs(await this.principal(authorization), body);
  }

  @Patch('sessions/:sessionId/end')
  async endSession(
    @Headers('authorization') authorization: string | undefined,
    @Param('sessionId') sessionId: string,
    @Body() body: { reason?: unknown } | undefined,
  ) {
    const reason = typeof body?.reason === 'string' ? body.reason.slice(0, 200) : undefined;
    return this.ingest.endSession(await this.principal(authorization), sessionId, reason);
  }

  @Get('reports/:sessionId')
  async getReport(
    @Headers('authorization') authorization: string | undefined,
    @Param('sessionId') sessionId: string,
  ) {
    return this.ingest.getReport(await this.principal(authorization), sessionId);
  }
}

@Module({})
class IngestionModule {}

export function ingestionModule(
  ingest: IngestService,
  tokens: TokenService,
  readiness: ReadinessChecks,
): DynamicModule {
  return {
    module: IngestionModule,
    imports: [healthModule(readiness)],
    controllers: [IngestionController],
    providers: [
      { provide: INGEST, useValue: ingest },
      { provide: TOKENS, useValue: tokens },
    ],
  };
}
