import {
  Body,
  Controller,
  type DynamicModule,
  Get,
  Headers,
  Inject,
  Module,
  Param,
  Patch,
} from '@nestjs/common';
import type { Principal } from '@proctor/auth';
import { UnauthenticatedError } from '@proctor/kernel';
import type { InterviewUseCases } from './interviews.ts';

const INTERVIEWS = Symbol('INTERVIEWS');
const AUTHENTICATE = Symbol('AUTHENTICATE');

type Authenticate = (headers: { authorization?: string; apiKey?: string }) => Promise<Principal | null>;

/** The seed's REST routes for staff, served from the same use cases as GraphQL (ingestion only takes events). */
@Controller('api')
class InterviewsController {
  constructor(
    @Inject(INTERVIEWS) private readonly interviews: InterviewUseCases,
    @Inject(AUTHENTICATE) private readonly authenticate: Authenticate,
  ) {}

  private async principal(authorization: string | undefined, apiKey: string | undefined) {
    const principal = await this.authenticate({ authorization, apiKey });
    if (!principal)
      throw new UnauthenticatedError(
        'Send a token as "Authorization: Bearer <token>" or an "x-api-key" header',
      );
    return principal;
  }

  /** PATCH /api/sessions/:id/end: the interviewer ends the interview; ending twice changes nothing. */
  @Patch('sessions/:sessionId/end')
  async end(
    @Headers('authorization') authorization: string | undefined,
    @Headers('x-api-key') apiKey: string | undefined,
    @Param('sessionId') sessionId: string,
    @Body() body: { reason?: unknown } | undefined,
  ) {
    const reason = typeof body?.reason === 'string' ? body.reason.slice(0, 200) : undefined;
    await this.interviews.end(await this.principal(authorization, apiKey), sessionId, reason);
    return { sessionId, status: 'ended' as const };
  }

  /** GET /api/reports/:id: the report as JSON, for staff of the session's organisation. */
  @Get('reports/:sessionId')
  async report(
    @Headers('authorization') authorization: string | undefined,
    @Headers('x-api-key') apiKey: string | undefined,
    @Param('sessionId') sessionId: string,
  ) {
    return this.interviews.report(await this.principal(authorization, apiKey), sessionId);
  }
}

@Module({})
class RestModule {}

export function restModule(interviews: InterviewUseCases, authenticate: Authenticate): DynamicModule {
  return {
    module: RestModule,
    controllers: [InterviewsController],
    providers: [
      { provide: INTERVIEWS, useValue: interviews },
      { provide: AUTHENTICATE, useValue: authenticate },
    ],
  };
}
