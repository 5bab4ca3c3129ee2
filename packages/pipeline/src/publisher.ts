import type { EventEnvelope } from '@proctor/domain';
import type { Producer } from 'kafkajs';
import type { NatsConnection } from 'nats';
import { sendEvents, type Topics } from './kafka.ts';
import { publishAlerts } from './nats.ts';

/**
 * The one way to publish platform events, for ingestion, the gateway and the verifier: alerts go out on NATS
 * at once, in parallel with the durable write, so an interviewer sees them within milliseconds; the promise
 * settles when Kafka has the events (all or none: the caller retries the same event ids, and both the store
 * and the UI deduplicate by id).
 */
export function createEventPublisher(deps: { producer: Producer; topics: Topics; nats: NatsConnection }) {
  return {
    /** Publishes the events; answers how many alerts went out. */
    async publish(events: EventEnvelope[]): Promise<number> {
      if (events.length === 0) return 0;
      const alerts = publishAlerts(deps.nats, events);
      await sendEvents(deps.producer, deps.topics, events);
      return alerts;
    },
  };
}

export type EventPublisher = ReturnType<typeof createEventPublisher>;
