import { type EventEnvelope, eventToJson, kindOf, Phase, phaseOf, sourceName } from '@proctor/domain';
import type { Logger } from '@proctor/kernel';
import { connect, JSONCodec, type NatsConnection, type Subscription } from 'nats';

/** A live alert for the interviewer: small, immediate, and sent only for events worth a toast. */
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

/** Subjects are versioned and scoped so a subscriber can listen to one session or one organisation. */
export const alertSubject = (orgId: string, sessionId: string) => `proctor.alerts.v1.${orgId}.${sessionId}`;

const QUIET_KINDS = new Set(['verifierObservation', 'sessionCreated', 'detectorStatus']);
const PHASE_NAME: Record<Phase, Alert['phase']> = {
  [Phase.UNSPECIFIED]: 'INSTANT',
  [Phase.START]: 'START',
  [Phase.END]: 'END',
  [Phase.INSTANT]: 'INSTANT',
};

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

const codec = JSONCodec<Alert>();

export async function connectNats(url: string, name: string, logger: Logger): Promise<NatsConnection> {
  const nc = await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  void (async () => {
    for await (const status of nc.status()) logger.debug({ type: status.type }, 'nats status');
  })();
  return nc;
}

/** Fire-and-forget: alerts are a live convenience; the durable record is the event itself in Kafka. */
export function publishAlerts(nc: NatsConnection, events: EventEnvelope[]): number {
  let sent = 0;
  for (const event of events) {
    const alert = toAlert(event);
    if (!alert) continue;
    nc.publish(alertSubject(alert.orgId, alert.sessionId), codec.encode(alert));
    sent += 1;
  }
  return sent;
}

/** Alerts of one session (`sessionId`) or of a whole organisation (`*`). */
export function subscribeAlerts(
  nc: NatsConnection,
  orgId: string,
  sessionId: string | '*',
): { alerts: AsyncIterable<Alert>; subscription: Subscription } {
  const subscription = nc.subscribe(alertSubject(orgId, sessionId));
  const alerts = (async function* () {
    for await (const message of subscription) yield codec.decode(message.data);
  })();
  return { alerts, subscription };
}
