import { type EventEnvelope, eventToJson, kindOf, Phase, phaseOf } from './events.ts';
import { sourceName } from './session.ts';

/**
 * A live alert for the interviewer: small, immediate, and sent only for events worth a toast. The one
 * declaration of its shape: NATS carries it, the gateway serves it as a GraphQL subscription, the web app reads it.
 */
export interface Alert {
  eventId: string;
  sessionId: string;
  orgId: string;
  kind: string;
  phase: 'START' | 'END' | 'INSTANT';
  source: 'browser' | 'verifier' | 'system';
  occurredAt: string;
  event: unknown;
}

const QUIET_KINDS = new Set(['verifierObservation', 'sessionCreated', 'detectorStatus']);
const PHASE_NAME: Record<Phase, Alert['phase']> = {
  [Phase.UNSPECIFIED]: 'INSTANT',
  [Phase.START]: 'START',
  [Phase.END]: 'END',
  [Phase.INSTANT]: 'INSTANT',
};

/** The alert an event raises, or none for the quiet kinds (samples, bookkeeping). */
export function toAlert(event: EventEnvelope): Alert | undefined {
  const kind = kindOf(event);
  if (!kind || QUIET_KINDS.has(kind)) return undefined;
  const json = eventToJson(event) as { occurredAt?: string };
  return {
    eventId: event.eventId,
    sessionId: event.sessionId,
    orgId: event.orgId,
    kind,
    phase: PHASE_NAME[phaseOf(event)],
    source: sourceName(event.source),
    occurredAt: json.occurredAt ?? '',
    event: json,
  };
}
