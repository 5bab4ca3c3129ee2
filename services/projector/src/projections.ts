import type { StoredEvent } from '@proctor/domain';
import { type Analytics, projectSessions, type SessionsRepository } from '@proctor/pipeline';

/**
 * The projections, each a name (its consumer group and checkpoint) and how it applies a batch. Both are
 * idempotent, so a redelivered or replayed batch leaves the read models as they were.
 */
export interface Projection {
  name: string;
  apply(batch: StoredEvent[]): Promise<void>;
  clear(): Promise<void>;
}

export function sessionsProjection(sessions: SessionsRepository): Projection {
  return {
    name: 'projection_sessions_v1',
    apply: async (batch) => {
      await projectSessions(sessions.store, batch);
    },
    clear: () => sessions.clear(),
  };
}

export function analyticsProjection(analytics: Analytics): Projection {
  return {
    name: 'projection_analytics_v1',
    apply: async (batch) => {
      await analytics.insertEvents(batch);
      await projectSessions(analytics.store, batch);
    },
    clear: () => analytics.clear(),
  };
}
