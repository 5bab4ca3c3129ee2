import { authorize, type Principal, type TokenService } from '@proctor/auth';
import {
  type Alert,
  buildReport,
  initialSession,
  newEventId,
  ReviewDecision,
  reportToCsv,
  roomNameFor,
  type SessionView,
  Source,
  sourceName,
} from '@proctor/domain';
import {
  ForbiddenError,
  type Logger,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '@proctor/kernel';
import type { Analytics, EventStore, SessionsRepository } from '@proctor/pipeline';
import { createSchema, type PubSub } from 'graphql-yoga';
import type { ExportStore } from './exports.ts';
import type { InterviewUseCases } from './interviews.ts';
import type { Rooms } from './livekit.ts';
import type { PdfRenderer } from './pdf.ts';
import type { Users } from './users.ts';

export const typeDefs = /* GraphQL */ `
  scalar JSON

  enum Role { candidate interviewer analyst admin api_client service }
  enum InterviewStatus { scheduled live ended }
  enum ReviewDecision { CONFIRMED DISMISSED }
  enum ReportFormat { PDF JSON CSV }

  type Principal { subject: String!, role: Role!, orgId: String!, sessionId: ID, name: String }

  type Member { email: String!, name: String!, role: Role! }
  type ApiKeyInfo { id: ID!, name: String!, createdAt: String! }
  "The caller's organisation; members and API keys are visible to its admins only."
  type Organization { id: ID!, interviewCount: Int!, members: [Member!]!, apiKeys: [ApiKeyInfo!]! }

  type Flag {
    id: ID!
    kind: String!
    source: String!
    label: String!
    startedAt: String!
    endedAt: String
    durationMs: Float!
    confidence: Float!
    snapshotRef: String
    recordingOffsetMs: Float
    review: JSON
  }

  type TimelineEvent { eventId: ID!, kind: String!, source: String!, occurredAt: String!, sessionSeq: Int!, event: JSON! }

  type Interview {
    id: ID!
    orgId: String!
    title: String!
    candidateName: String!
    candidateEmail: String!
    interviewerId: String!
    roomName: String!
    status: InterviewStatus!
    createdAt: String
    startedAt: String
    endedAt: String
    durationMs: Float!
    "Integrity score now (100 − deductions), policy integrity-v1."
    score: Int!
    flags: [Flag!]!
    "Every event of the interview in order, from the append-only store."
    timeline(first: Int = 500): [TimelineEvent!]!
    recording: JSON!
  }

  type InterviewEdge { node: Interview!, cursor: String! }
  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type InterviewConnection { edges: [InterviewEdge!]!, pageInfo: PageInfo! }

  type CountByDay { day: String!, kind: String!, count: Int! }
  type ScoreBucket { bucket: Int!, sessions: Int! }
  type KindCount { kind: String!, count: Int! }
  type InterviewFlags { sessionId: ID!, candidateName: String!, flags: Int!, score: Int! }
  type Analytics {
    eventsByDay: [CountByDay!]!
    scoreDistribution: [ScoreBucket!]!
    topFlagKinds: [KindCount!]!
    flagsPerInterview: [InterviewFlags!]!
    medianTimeToFirstFlagMs: Float
  }

  type SignInResult { token: String!, principal: Principal! }
  type RoomGrant { url: String!, token: String!, room: String! }
  type CreatedInterview { interview: Interview!, candidateLink: String!, candidateToken: String! }
  type ReportExport { format: ReportFormat!, url: String!, key: String!, expiresAt: String! }
  type ApiKey { key: String!, name: String! }
  type Ok { ok: Boolean! }

  type Alert { eventId: ID!, sessionId: ID!, orgId: String!, kind: String!, phase: String!, source: String!, occurredAt: String!, event: JSON! }

  input CreateInterviewInput { candidateName: String!, candidateEmail: String!, title: String!, scheduledAt: String }

  type Query {
    me: Principal!
    organization: Organization!
    interviews(first: Int = 20, after: String, status: InterviewStatus): InterviewConnection!
    interview(id: ID!): Interview!
    "The proctoring report (candidate, duration, counts, flags, integrity score with its deductions)."
    report(sessionId: ID!): JSON!
    "A link (valid one hour) to the interview's recording, once it is stored; staff only."
    recordingUrl(sessionId: ID!): String
    analytics(days: Int = 30): Analytics!
  }

  type Mutation {
    signIn(email: String!, password: String!): SignInResult!
    createApiKey(name: String!): ApiKey!
    createInterview(input: CreateInterviewInput!): CreatedInterview!
    startInterview(id: ID!): Interview!
    endInterview(id: ID!): Interview!
    joinRoom(sessionId: ID!): RoomGrant!
    reviewFlag(sessionId: ID!, flagId: ID!, decision: ReviewDecision!, note: String): Ok!
    exportReport(sessionId: ID!, format: ReportFormat!): ReportExport!
  }

  type Subscription {
    "Live alerts of one interview, as ingestion and the verifier see them."
    alerts(sessionId: ID!): Alert!
  }
`;

export interface GatewayDeps {
  sessions: SessionsRepository;
  store: EventStore;
  analytics: Analytics;
  users: Users;
  tokens: TokenService;
  rooms: Rooms;
  interviews: InterviewUseCases;
  pubSub: PubSub<{ alert: [id: string, payload: Alert] }>;
  pdf: PdfRenderer;
  exportStore: ExportStore;
  publicUrl: string;
  logger: Logger;
}

export interface GatewayContext {
  principal: Principal | null;
}

const need = (ctx: GatewayContext): Principal => {
  if (!ctx.principal)
    throw new UnauthenticatedError('Sign in, or send a bearer token or an x-api-key header');
  return ctx.principal;
};

const text = (value: unknown, field: string, max: number): string => {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field} is required`);
  if (value.length > max) throw new ValidationError(`${field} is longer than ${max} characters`);
  return value.trim();
};

export function createResolvers(deps: GatewayDeps) {
  const { sessionFor, emit } = deps.interviews;

  /** After a mutation, the read model catches up within moments; answer with what will be there. */
  const withStatus = (s: SessionView, status: SessionView['status']): SessionView => ({ ...s, status });

  const interviewFields = {
    id: (s: SessionView) => s._id,
    durationMs: (s: SessionView) => buildReport(s, new Date()).durationMs,
    score: (s: SessionView) => buildReport(s, new Date()).integrity.score,
    flags: (s: SessionView) =>
      s.flags.map((f) => ({
        ...f,
        snapshotRef: f.evidence?.snapshotRef || null,
        recordingOffsetMs: f.evidence?.recordingOffsetMs ?? null,
      })),
    timeline: async (s: SessionView, args: { first: number }) =>
      (await deps.store.readSession(s._id)).slice(0, Math.min(args.first, 5000)).map((stored) => ({
        eventId: stored.event?.eventId,
        kind: stored.event?.payload.case ?? 'unknown',
        source: sourceName(stored.event?.source ?? Source.UNSPECIFIED),
        occurredAt: stored.event?.occurredAt
          ? new Date(
              Number(stored.event.occurredAt.seconds) * 1000 + stored.event.occurredAt.nanos / 1e6,
            ).toISOString()
          : '',
        sessionSeq: Number(stored.sessionSeq),
        event: stored.event
          ? JSON.parse(JSON.stringify(stored.event, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
          : {},
      })),
  };

  return {
    JSON: { serialize: (v: unknown) => v, parseValue: (v: unknown) => v },
    Interview: interviewFields,
    Organization: {
      interviewCount: (org: { id: string }) => deps.sessions.countByOrg(org.id),
      members: (org: { id: string; principal: Principal }) => {
        if (org.principal.role !== 'admin') throw new ForbiddenError('Only an admin sees the members');
        return deps.users.members(org.id);
      },
      apiKeys: (org: { id: string; principal: Principal }) => {
        if (org.principal.role !== 'admin') throw new ForbiddenError('Only an admin sees the API keys');
        return deps.users.apiKeys(org.id);
      },
    },
    Query: {
      me: (_: unknown, __: unknown, ctx: GatewayContext) => need(ctx),
      organization(_: unknown, __: unknown, ctx: GatewayContext) {
        const principal = need(ctx);
        authorize(principal, 'session:read', { orgId: principal.orgId });
        return { id: principal.orgId, principal };
      },
      async interviews(
        _: unknown,
        args: { first: number; after?: string; status?: SessionView['status'] },
        ctx: GatewayContext,
      ) {
        const principal = need(ctx);
        authorize(principal, 'session:read', { orgId: principal.orgId });
        const first = Math.min(Math.max(args.first, 1), 100);
        let after: { createdAt: string; id: string } | undefined;
        if (args.after) {
          const [createdAt, id] = Buffer.from(args.after, 'base64url').toString().split('|');
          if (!createdAt || !id) throw new ValidationError('after is not a cursor from this API');
          after = { createdAt, id };
        }
        const page = await deps.sessions.list({
          orgId: principal.orgId,
          status: args.status,
          after,
          limit: first + 1,
        });
        const edges = page.slice(0, first).map((node) => ({
          node,
          cursor: Buffer.from(`${node.createdAt}|${node._id}`).toString('base64url'),
        }));
        return {
          edges,
          pageInfo: { hasNextPage: page.length > first, endCursor: edges.at(-1)?.cursor ?? null },
        };
      },
      interview: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
        sessionFor(need(ctx), args.id, 'session:read'),
      async report(_: unknown, args: { sessionId: string }, ctx: GatewayContext) {
        return deps.interviews.report(need(ctx), args.sessionId);
      },
      async recordingUrl(_: unknown, args: { sessionId: string }, ctx: GatewayContext) {
        const { recording } = await sessionFor(need(ctx), args.sessionId, 'report:read');
        // A stored recording (complete or failed) is linked for review; the link expires after an hour.
        return recording.objectKey && recording.state !== 'recording'
          ? deps.exportStore.recordingUrl(recording.objectKey)
          : null;
      },
      async analytics(_: unknown, args: { days: number }, ctx: GatewayContext) {
        const principal = need(ctx);
        authorize(principal, 'analytics:read', { orgId: principal.orgId });
        if (args.days < 1 || args.days > 366) throw new ValidationError('days must be between 1 and 366');
        return queryAnalytics(deps.analytics, principal.orgId, args.days);
      },
    },
    Mutation: {
      async signIn(_: unknown, args: { email: string; password: string }) {
        const principal = await deps.users.verify(args.email, args.password);
        return { token: await deps.tokens.issue(principal), principal };
      },
      async createApiKey(_: unknown, args: { name: string }, ctx: GatewayContext) {
        const principal = need(ctx);
        if (principal.role !== 'admin') throw new ForbiddenError('Only an admin creates API keys');
        const name = text(args.name, 'name', 80);
        return { key: await deps.users.createApiKey(principal.orgId, name), name };
      },
      async createInterview(
        _: unknown,
        args: {
          input: { candidateName: string; candidateEmail: string; title: string; scheduledAt?: string };
        },
        ctx: GatewayContext,
      ) {
        const principal = need(ctx);
        authorize(principal, 'session:manage', { orgId: principal.orgId });
        const candidateName = text(args.input.candidateName, 'candidateName', 120);
        const candidateEmail = text(args.input.candidateEmail, 'candidateEmail', 200);
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(candidateEmail))
          throw new ValidationError('candidateEmail is not an email address');
        const title = text(args.input.title, 'title', 120);
        const scheduledAt = args.input.scheduledAt ? new Date(args.input.scheduledAt) : null;
        if (scheduledAt && Number.isNaN(scheduledAt.getTime()))
          throw new ValidationError('scheduledAt is not a date');
        const id = newEventId();
        const roomName = roomNameFor(id);
        await deps.rooms.create(roomName, { sessionId: id, orgId: principal.orgId });
        const session = { _id: id, orgId: principal.orgId };
        const created = await emit(session, {
          case: 'sessionCreated',
          value: {
            candidateName,
            candidateEmail,
            title,
            interviewerId: principal.subject,
            roomName,
            scheduledAt: scheduledAt
              ? { seconds: BigInt(Math.floor(scheduledAt.getTime() / 1000)), nanos: 0 }
              : undefined,
          },
        });
        const candidateToken = await deps.tokens.issue({
          subject: `candidate:${id}`,
          role: 'candidate',
          orgId: principal.orgId,
          sessionId: id,
          name: candidateName,
        });
        const interview: SessionView = {
          ...initialSession(id),
          orgId: principal.orgId,
          title,
          candidateName,
          candidateEmail,
          interviewerId: principal.subject,
          roomName,
          createdAt: created.occurredAt
            ? new Date(Number(created.occurredAt.seconds) * 1000).toISOString()
            : null,
        };
        return {
          interview,
          candidateToken,
          candidateLink: `${deps.publicUrl}/interview?role=candidate&session=${id}#token=${candidateToken}`,
        };
      },
      async startInterview(_: unknown, args: { id: string }, ctx: GatewayContext) {
        const session = await sessionFor(need(ctx), args.id, 'session:manage');
        if (session.status === 'ended') throw new ValidationError('This interview has already ended');
        if (session.status === 'scheduled') await emit(session, { case: 'sessionStarted', value: {} });
        return withStatus(session, 'live');
      },
      async endInterview(_: unknown, args: { id: string }, ctx: GatewayContext) {
        return deps.interviews.end(need(ctx), args.id);
      },
      async joinRoom(_: unknown, args: { sessionId: string }, ctx: GatewayContext) {
        const principal = need(ctx);
        const session = await sessionFor(
          principal,
          args.sessionId,
          principal.role === 'candidate' ? 'session:join-as-candidate' : 'session:watch',
        );
        if (session.status === 'ended') throw new ForbiddenError('This interview has ended');
        return {
          url: deps.rooms.url,
          room: session.roomName,
          token: await deps.rooms.grant(principal, session.roomName),
        };
      },
      async reviewFlag(
        _: unknown,
        args: { sessionId: string; flagId: string; decision: 'CONFIRMED' | 'DISMISSED'; note?: string },
        ctx: GatewayContext,
      ) {
        const session = await sessionFor(need(ctx), args.sessionId, 'flag:review');
        if (!session.flags.some((f) => f.id === args.flagId))
          throw new NotFoundError(`Flag ${args.flagId} is not in this interview`);
        const note = args.note ? text(args.note, 'note', 1000) : '';
        const decision = args.decision === 'CONFIRMED' ? ReviewDecision.CONFIRMED : ReviewDecision.DISMISSED;
        await emit(session, { case: 'flagReviewed', value: { flagId: args.flagId, decision, note } });
        return { ok: true };
      },
      async exportReport(
        _: unknown,
        args: { sessionId: string; format: 'PDF' | 'JSON' | 'CSV' },
        ctx: GatewayContext,
      ) {
        const principal = need(ctx);
        const session = await sessionFor(principal, args.sessionId, 'report:read');
        const report = buildReport(session, new Date());
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const key = `${session.orgId}/${session._id}/report-${stamp}.${args.format.toLowerCase()}`;
        let body: Buffer;
        let type: string;
        if (args.format === 'PDF') {
          // The page reads the report with a short-lived service token scoped to this organisation.
          const token = await deps.tokens.issue(
            { subject: 'pdf-renderer', role: 'service', orgId: session.orgId },
            120,
          );
          body = await deps.pdf.render(
            `${deps.publicUrl}/reports/${encodeURIComponent(session._id)}?print=1#token=${token}`,
          );
          type = 'application/pdf';
        } else if (args.format === 'CSV') {
          body = Buffer.from(reportToCsv(report));
          type = 'text/csv; charset=utf-8';
        } else {
          body = Buffer.from(JSON.stringify(report, null, 2));
          type = 'application/json';
        }
        return { format: args.format, ...(await deps.exportStore.put(key, body, type)) };
      },
    },
    Subscription: {
      alerts: {
        async subscribe(_: unknown, args: { sessionId: string }, ctx: GatewayContext) {
          const session = await sessionFor(need(ctx), args.sessionId, 'session:watch');
          return deps.pubSub.subscribe('alert', `${session.orgId}.${session._id}`);
        },
        resolve: (alert: Alert) => alert,
      },
    },
  };
}

async function queryAnalytics(analytics: Analytics, orgId: string, days: number) {
  const run = async <T>(query: string): Promise<T[]> =>
    (
      await analytics.client.query({ query, query_params: { org: orgId, days }, format: 'JSONEachRow' })
    ).json<T>();
  const [eventsByDay, scoreDistribution, topFlagKinds, flagsPerInterview, ttff] = await Promise.all([
    run<{ day_text: string; kind: string; count: string }>(
      `SELECT toString(day) AS day_text, kind, sum(events) AS count FROM events_by_day_v1
       WHERE org_id = {org:String} AND day >= today() - {days:UInt32} GROUP BY day, kind ORDER BY day, kind`,
    ),
    run<{ bucket: string; sessions: string }>(
      'SELECT bucket, sessions FROM score_distribution_v1 WHERE org_id = {org:String} ORDER BY bucket',
    ),
    run<{ kind: string; count: string }>(
      `SELECT kind, count() AS count FROM sessions_v1 FINAL ARRAY JOIN flag_kinds AS kind
       WHERE org_id = {org:String} AND created_at >= now() - toIntervalDay({days:UInt32}) GROUP BY kind ORDER BY count DESC, kind LIMIT 10`,
    ),
    run<{ session_id: string; candidate_name: string; flags: string; score: string }>(
      `SELECT session_id, candidate_name, flags, score FROM sessions_v1 FINAL
       WHERE org_id = {org:String} AND created_at >= now() - toIntervalDay({days:UInt32}) ORDER BY flags DESC, session_id LIMIT 50`,
    ),
    run<{ median: number | null }>(
      'SELECT if(count() = 0, NULL, median(ms)) AS median FROM time_to_first_flag_v1 WHERE org_id = {org:String}',
    ),
  ]);
  return {
    eventsByDay: eventsByDay.map((r) => ({ day: r.day_text, kind: r.kind, count: Number(r.count) })),
    scoreDistribution: scoreDistribution.map((r) => ({
      bucket: Number(r.bucket),
      sessions: Number(r.sessions),
    })),
    topFlagKinds: topFlagKinds.map((r) => ({ kind: r.kind, count: Number(r.count) })),
    flagsPerInterview: flagsPerInterview.map((r) => ({
      sessionId: r.session_id,
      candidateName: r.candidate_name,
      flags: Number(r.flags),
      score: Number(r.score),
    })),
    medianTimeToFirstFlagMs: ttff[0]?.median ?? null,
  };
}

export function buildSchema(deps: GatewayDeps) {
  return createSchema<GatewayContext>({ typeDefs, resolvers: createResolvers(deps) as never });
}
