import {
  Body,
  Controller,
  type DynamicModule,
  Headers,
  HttpCode,
  Inject,
  Module,
  Post,
} from '@nestjs/common';
import { bearerToken, type TokenService } from '@proctor/auth';
import { healthModule, type ReadinessChecks, UnauthenticatedError } from '@proctor/kernel';
import type { IngestService } from './ingest.ts';

const INGEST = Symbol('INGEST');
const TOKENS = Symbol('TOKENS');

/** The seed's POST /api/logs, kept exactly (its PATCH /api/sessions/:id/end and GET /api/reports/:id are the gateway's). */
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
