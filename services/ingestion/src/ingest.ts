import { authorize, type Principal } from '@proctor/auth';
import { acceptClientEvent, type EventEnvelope, type EventProblem, LIMITS } from '@proctor/domain';
import { forSession, type Logger, PayloadTooLargeError, ValidationError } from '@proctor/kernel';
import type { EventPublisher } from '@proctor/pipeline';

export interface IngestDeps {
  publisher: EventPublisher;
  logger: Logger;
  now?: () => Date;
}

export interface PostLogsResult {
  /** Events Kafka now has (a re-sent event id counts here again and is stored once). */
  accepted: number;
  acceptedIds: string[];
  rejected: EventProblem[];
}

/**
 * The ingestion use case: candidate and verifier events in, nothing else (ending an interview and reading its
 * report are the gateway's, `services/gateway/src/interviews.ts`).
 */
export function createIngestService(deps: IngestDeps) {
  const now = deps.now ?? (() => new Date());

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
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
