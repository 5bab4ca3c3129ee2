import type { Alert as DomainAlert } from '@proctor/domain';
import { gql, subscribe } from './graphql.ts';

// The interview operations of the gateway's GraphQL API (services/gateway/README.md).

/** An alert as the page's subscription selects it: the domain's shape, without the organisation. */
export type Alert = Omit<DomainAlert, 'orgId'>;

export interface InterviewSummary {
  id: string;
  candidateName: string;
  title: string;
  status: 'scheduled' | 'live' | 'ended';
  score: number | null;
}

export interface RoomGrant {
  url: string;
  token: string;
}

export async function signIn(email: string, password: string): Promise<string> {
  const data = await gql<{ signIn: { token: string } }>(
    'mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }',
    { email, password },
  );
  return data.signIn.token;
}

export async function listInterviews(): Promise<InterviewSummary[]> {
  const data = await gql<{ interviews: { edges: { node: InterviewSummary }[] } }>(
    'query Interviews { interviews(first: 50) { edges { node { id candidateName title status score } } } }',
  );
  return data.interviews.edges.map((e) => e.node);
}

export async function createInterview(input: {
  candidateName: string;
  candidateEmail: string;
  title: string;
}) {
  const data = await gql<{ createInterview: { interview: { id: string }; candidateLink: string } }>(
    'mutation Create($input: CreateInterviewInput!) { createInterview(input: $input) { interview { id } candidateLink } }',
    { input },
  );
  return { sessionId: data.createInterview.interview.id, candidateLink: data.createInterview.candidateLink };
}

export const startInterview = (id: string) =>
  gql('mutation Start($id: ID!) { startInterview(id: $id) { id status } }', { id });
export const endInterview = (id: string) =>
  gql('mutation End($id: ID!) { endInterview(id: $id) { id status } }', { id });

async function roomGrant(sessionId: string): Promise<RoomGrant> {
  const data = await gql<{ joinRoom: RoomGrant }>(
    'mutation Join($id: ID!) { joinRoom(sessionId: $id) { url token } }',
    { id: sessionId },
  );
  return data.joinRoom;
}
export const candidateJoin = roomGrant;
export const interviewerJoin = roomGrant;

export function watchAlerts(
  sessionId: string,
  onAlert: (alert: Alert) => void,
  onError: (error: Error) => void,
): () => void {
  return subscribe<{ alerts: Alert }>(
    'subscription Alerts($id: ID!) { alerts(sessionId: $id) { eventId sessionId kind phase source occurredAt event } }',
    { id: sessionId },
    (data) => onAlert(data.alerts),
    onError,
  );
}

export const reviewFlag = (
  sessionId: string,
  flagId: string,
  decision: 'CONFIRMED' | 'DISMISSED',
  note: string,
) =>
  gql(
    'mutation Review($s: ID!, $f: ID!, $d: ReviewDecision!, $n: String) { reviewFlag(sessionId: $s, flagId: $f, decision: $d, note: $n) { ok } }',
    { s: sessionId, f: flagId, d: decision, n: note || null },
  );

export async function exportReport(sessionId: string, format: 'PDF' | 'CSV' | 'JSON'): Promise<string> {
  const data = await gql<{ exportReport: { url: string } }>(
    'mutation Export($s: ID!, $f: ReportFormat!) { exportReport(sessionId: $s, format: $f) { url } }',
    { s: sessionId, f: format },
  );
  return data.exportReport.url;
}

/** A link to the interview's recording (valid an hour), or null while there is none. */
export async function fetchRecordingUrl(sessionId: string): Promise<string | null> {
  const data = await gql<{ recordingUrl: string | null }>(
    'query Rec($s: ID!) { recordingUrl(sessionId: $s) }',
    {
      s: sessionId,
    },
  );
  return data.recordingUrl;
}
