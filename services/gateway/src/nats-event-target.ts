import type { TypedEventTarget } from '@graphql-yoga/typed-event-target';
import type { NatsConnection, Subscription } from 'nats';

type Listener = EventListener | EventListenerObject | null;

/**
 * A yoga PubSub event target over NATS: a topic `name:id` is the subject `<prefix>.<id>`, so several
 * gateway instances all receive what ingestion publishes. Subscribes to NATS only while someone listens.
 */
export function createNatsEventTarget(
  nc: NatsConnection,
  subjectOf: (topic: string) => string,
): TypedEventTarget<CustomEvent> {
  const listeners = new Map<string, Set<Listener>>();
  const subscriptions = new Map<string, Subscription>();

  const deliver = (topic: string, data: unknown) => {
    const event = new CustomEvent(topic, { detail: data });
    for (const listener of listeners.get(topic) ?? []) {
      if (typeof listener === 'function') listener(event);
      else listener?.handleEvent(event);
    }
  };

  return {
    addEventListener(topic, listener) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
        const subscription = nc.subscribe(subjectOf(topic));
        subscriptions.set(topic, subscription);
        void (async () => {
          for await (const message of subscription) deliver(topic, message.json());
        })();
      }
      set.add(listener as Listener);
    },
    removeEventListener(topic, listener) {
      const set = listeners.get(topic);
      set?.delete(listener as Listener);
      if (set && set.size === 0) {
        listeners.delete(topic);
        subscriptions.get(topic)?.unsubscribe();
        subscriptions.delete(topic);
      }
    },
    dispatchEvent(event) {
      nc.publish(subjectOf(event.type), JSON.stringify(event.detail));
      return true;
    },
  };
}
