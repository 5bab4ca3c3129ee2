import { authorize, type Principal } from '@proctor/auth';
import {
  acceptClientEvent,
  buildReport,
  type EventEnvelope,
  type EventProblem,
  LIMITS,
  type ProctoringReport,
  systemEvent,
} from '@proctor/domain';
import {
  forSession,
  type Logger,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '@proctor/kernel';
import type { EventPublisher, SessionsRepository } from '@proctor/pipeline';

export interface IngestDeps {
  publisher: EventPublisher;
  sessions: SessionsRepository;
  logger: Logger;
  now?: () => Date;
}

export interface PostLogsResult {
  /** Events Kafka now has (a re-sent event id counts here again and is stored once). */
  accepted: number;
  acceptedIds: string[];
  rejected: EventProblem[];
}

/** The ingestion use cases: what the REST controller calls after authentication. */
export function createIngestService(deps: IngestDeps) {
  const now = deps.now ?? (() => new Date());

  async function sessionOrThrow(sessionId: string) {
    const session = await deps.sessions.get(sessionId);
    if (!session?.orgId) throw new NotFoundError(`Session ${sessionId} does not exist`);
    return session;
  }

  return {
    /** POST /api/logs: validates each event, keeps the valid ones, answers only once Kafka has them. */
    async postLogs(principal: Principal, body: unknown): Promise<PostLogsResult> {
      const batch = body as { sessionId?: unknown; events?: unknown };
      if (typeof batch?.sessionId !== 'string' || !Array.isArray(batch.events)) {
        throw new ValidationError('Body must be { "sessionId": string, "events": [ ... ] }');
      }
      authorize(principal, 'session:post-events', { orgId: principal.orgId, sessionId: batch.sessionId });
      if (batch.events.length === 0) throw new ValidationError('events is empty');
      if (batch.events.length > LIMITS.maxEventsPerBatch) {
        throw new PayloadTooLargeError(
          `${batch.events.length} events in one batch; the limit is ${LIMITS.maxEventsPerBatch}`,
        );
      }
      const context = { sessionId: batch.sessionId, orgId: principal.orgId, now: now() };
      const accepted: EventEnvelope[] = [];
      const rejected: EventProblem[] = [];
      batch.events.forEach((raw, index) => {
        const result = acceptClientEvent(raw, index, context);
        if ('event' in result) accepted.push(result.event);
        else rejected.push(result.problem);
      });
      const log = forSession(deps.logger, batch.sessionId);
      if (accepted.length === 0) {
        log.info({ rejected: rejected.length }, 'batch rejected');
        throw new ValidationError('No event in the batch is valid', rejected);
      }
      const alerts = await deps.publisher.publish(accepted);
      log.debug({ accepted: accepted.length, rejected: rejected.length, alerts }, 'batch accepted');
      return { accepted: accepted.length, acceptedIds: accepted.map((e) => e.eventId), rejected };
    },

    /** PATCH /api/sessions/:id/end: the interviewer ends the interview; ending twice changes nothing. */
    async endSession(principal: Principal, sessionId: string, reason = 'ended by interviewer') {
      const session = await sessionOrThrow(sessionId);
      authorize(principal, 'session:manage', { orgId: session.orgId, sessionId });
      if (session.status !== 'ended') {
        const event = systemEvent(
          sessionId,
          session.orgId,
          { case: 'sessionEnded', value: { reason } },
          { now: now() },
        );
        await deps.publisher.publish([event]);
        forSession(deps.logger, sessionId).info({ by: principal.subject }, 'session ended');
      }
      return { sessionId, status: 'ended' as const };
    },

    /** GET /api/reports/:id: the report as JSON, for staff of the session's organisation. */
    async getReport(principal: Principal, sessionId: string): Promise<ProctoringReport> {
      const session = await sessionOrThrow(sessionId);
      authorize(principal, 'report:read', { orgId: session.orgId, sessionId });
      return buildReport(session, now());
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
