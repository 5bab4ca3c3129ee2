import { type Alert, type EventEnvelope, toAlert } from '@proctor/domain';
import type { Logger } from '@proctor/kernel';
import { connect, JSONCodec, type NatsConnection, type Subscription } from 'nats';

/** Subjects are versioned and scoped so a subscriber can listen to one session or one organisation. */
export const alertSubject = (orgId: string, sessionId: string) => `proctor.alerts.v1.${orgId}.${sessionId}`;

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
