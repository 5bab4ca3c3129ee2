import type { KV, NatsConnection } from 'nats';

/**
 * Which verifier watches which room, agreed through leases in a NATS JetStream key-value bucket: a room's key
 * holds its verifier's id and expires `leaseMs` after the last renewal. A verifier renews its rooms on every
 * poll, claims unclaimed rooms up to its fair share (rooms ÷ live verifiers), and hands back rooms when it
 * holds more than its share, so a new instance gets work. A verifier that dies stops renewing: its rooms are
 * free again after one lease and the others take them. The key is set with create(), so a room has one owner.
 */
export async function createRoomClaims(
  nc: NatsConnection,
  options: { instanceId: string; leaseMs: number; bucket?: string },
) {
  const js = nc.jetstream();
  const bucket = options.bucket ?? 'verifier_rooms_v1';
  const rooms: KV = await js.views.kv(bucket, { ttl: options.leaseMs, history: 1 });
  // Live verifiers announce themselves under the same lease, so each can compute its share.
  const instances: KV = await js.views.kv(`${bucket}_instances`, { ttl: options.leaseMs, history: 1 });
  const held = new Set<string>();
  const me = options.instanceId;

  async function liveInstances(): Promise<number> {
    let count = 0;
    for await (const _ of await instances.keys()) count++;
    return Math.max(1, count);
  }

  async function ownedByMe(room: string): Promise<boolean> {
    const entry = await rooms.get(room);
    return !!entry && entry.operation === 'PUT' && entry.string() === me;
  }

  return {
    /** Renews, releases and claims; returns the rooms this instance should watch now. */
    async sync(available: readonly string[]): Promise<Set<string>> {
      await instances.put(me, String(held.size));
      const listed = new Set(available);
      for (const room of [...held]) {
        // Gone from the media server, or lost (our lease ran out and another verifier took it).
        if (!listed.has(room) || !(await ownedByMe(room))) {
          held.delete(room);
          if (!listed.has(room)) await rooms.delete(room).catch(() => undefined);
          continue;
        }
        await rooms.put(room, me);
      }
      const share = Math.ceil(available.length / (await liveInstances()));
      // More than one over the share: hand the extra back (not at exactly one over, to avoid flapping).
      if (held.size > share + 1)
        for (const room of [...held].slice(share)) {
          held.delete(room);
          await rooms.delete(room).catch(() => undefined);
        }
      const unclaimed = available.filter((room) => !held.has(room)).sort(() => Math.random() - 0.5);
      for (const room of unclaimed) {
        if (held.size >= share) break;
        try {
          await rooms.create(room, me);
          held.add(room);
        } catch {
          // another verifier holds it
        }
      }
      return new Set(held);
    },
    /** Leaves every room (a clean shutdown): the others take them at their next poll. */
    async releaseAll(): Promise<void> {
      for (const room of held) await rooms.delete(room).catch(() => undefined);
      held.clear();
      await instances.delete(me).catch(() => undefined);
    },
  };
}

export type RoomClaims = Awaited<ReturnType<typeof createRoomClaims>>;
