import { decodeRoomMetadata } from '@proctor/domain';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { VerifiedRoom } from './room-verifier.ts';

/** FNV-1a: a stable, well-spread hash of a room name, the same in every instance and every restart. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Which verifier instance watches a room: each room has exactly one owner among `instances`. */
export const ownerOf = (room: string, instances: number): number => hash(room) % instances;

/**
 * The interview rooms this instance should watch right now: rooms on the media server that carry interview
 * metadata and hash to this instance. Polled, so a restarted verifier finds them.
 */
export function createRoomDirectory(config: {
  url: string;
  apiKey: string;
  apiSecret: string;
  instance: number;
  instances: number;
  /** Only rooms of these organisations; all when empty. */
  orgs: readonly string[];
}) {
  const service = new RoomServiceClient(config.url.replace(/^ws/, 'http'), config.apiKey, config.apiSecret);
  return {
    async list(): Promise<VerifiedRoom[]> {
      const rooms = await service.listRooms();
      return rooms.flatMap((room) => {
        const metadata = decodeRoomMetadata(room.metadata);
        // Counts of publishers lag behind joins on the media server: every interview room is watched, and a
        // room without a candidate costs only its connection.
        if (!metadata) return [];
        if (config.orgs.length > 0 && !config.orgs.includes(metadata.orgId)) return [];
        if (ownerOf(room.name, config.instances) !== config.instance) return [];
        return [{ name: room.name, ...metadata }];
      });
    },
  };
}
