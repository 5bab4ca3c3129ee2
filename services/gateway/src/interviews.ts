import { authorize, type Principal } from '@proctor/auth';
import {
  buildReport,
  type PayloadInit,
  type ProctoringReport,
  type SessionView,
  systemEvent,
} from '@proctor/domain';
import { NotFoundError } from '@proctor/kernel';
import type { EventPublisher, SessionsRepository } from '@proctor/pipeline';
import type { Rooms } from './livekit.ts';

/**
 * The interview use cases that GraphQL and the seed's REST routes share: one home for reading a session with
 * its authorization, ending an interview (which also closes its LiveKit room) and building the report.
 */
export function createInterviewUseCases(deps: {
  sessions: SessionsRepository;
  publisher: EventPublisher;
  rooms: Rooms;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  /** The session, once the principal may do `action` on it (NotFound, or Forbidden for another org's). */
  async function sessionFor(
    principal: Principal,
    id: string,
    action: Parameters<typeof authorize>[1],
  ): Promise<SessionView> {
    const session = await deps.sessions.get(id);
    if (!session?.orgId) throw new NotFoundError(`Interview ${id} does not exist`);
    authorize(principal, action, { orgId: session.orgId, sessionId: id });
    return session;
  }

  /** Publishes one platform event about the session (alerts at once, the log durably). */
  async function emit(session: { _id: string; orgId: string }, payload: PayloadInit) {
    const event = systemEvent(session._id, session.orgId, payload, { now: now() });
    await deps.publisher.publish([event]);
    return event;
  }

  return {
    sessionFor,
    emit,
    /** Ends the interview and closes its room; ending twice changes nothing. */
    async end(principal: Principal, id: string, reason = 'ended by interviewer'): Promise<SessionView> {
      const session = await sessionFor(principal, id, 'session:manage');
      if (session.status !== 'ended') await emit(session, { case: 'sessionEnded', value: { reason } });
      await deps.rooms.close(session.roomName);
      return { ...session, status: 'ended' };
    },
    async report(principal: Principal, id: string): Promise<ProctoringReport> {
      return buildReport(await sessionFor(principal, id, 'report:read'), now());
    },
  };
}

export type InterviewUseCases = ReturnType<typeof createInterviewUseCases>;
