import { decodeRoomMetadata } from '@proctor/domain';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { VerifiedRoom } from './room-verifier.ts';

/**
 * The interview rooms on the media server (those whose metadata names an interview), of the configured
 * organisations. Polled, so a restarted verifier finds them; which of them this instance watches is agreed
 * through leases (claims.ts).
 */
export function createRoomDirectory(config: {
  url: string;
  apiKey: string;
  apiSecret: string;
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
        return [{ name: room.name, ...metadata }];
      });
    },
  };
}
