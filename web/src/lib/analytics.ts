import { gql } from './graphql.ts';

// The analyst's queries (ClickHouse behind the gateway's GraphQL API), scoped to the caller's organisation.

export interface Analytics {
  eventsByDay: { day: string; kind: string; count: number }[];
  scoreDistribution: { bucket: number; sessions: number }[];
  topFlagKinds: { kind: string; count: number }[];
  flagsPerInterview: { sessionId: string; candidateName: string; flags: number; score: number }[];
}

export async function fetchAnalytics(days: number): Promise<Analytics> {
  const data = await gql<{ analytics: Analytics }>(
    `query Analytics($days: Int!) {
      analytics(days: $days) {
        eventsByDay { day kind count }
        scoreDistribution { bucket sessions }
        topFlagKinds { kind count }
        flagsPerInterview { sessionId candidateName flags score }
      }
    }`,
    { days },
  );
  return data.analytics;
}
