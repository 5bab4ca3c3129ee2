import type { Principal } from '@proctor/auth';
import { encodeRoomMetadata, type RoomMetadata } from '@proctor/domain';
import { ForbiddenError } from '@proctor/kernel';
import { AccessToken, RoomServiceClient, TrackSource } from 'livekit-server-sdk';

/** Room tokens live ten minutes: enough to join; a reconnect asks for a new one. */
const TOKEN_TTL = '10m';

export function createRooms(config: { url: string; apiKey: string; apiSecret: string }) {
  const service = new RoomServiceClient(config.url.replace(/^ws/, 'http'), config.apiKey, config.apiSecret);
  return {
    url: config.url,
    /**
     * The narrowest grant for each role: the candidate publishes camera and microphone only and
     * subscribes to nothing; the interviewer subscribes and publishes nothing.
     */
    async grant(principal: Principal, room: string): Promise<string> {
      const token = new AccessToken(config.apiKey, config.apiSecret, {
        identity:
          principal.role === 'candidate'
            ? `candidate:${principal.sessionId}`
            : `${principal.role}:${principal.subject}`,
        name: principal.name ?? principal.role,
        ttl: TOKEN_TTL,
      });
      if (principal.role === 'candidate') {
        token.addGrant({
          room,
          roomJoin: true,
          canPublish: true,
          canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE],
          canSubscribe: false,
          canPublishData: false,
        });
      } else if (principal.role === 'interviewer' || principal.role === 'admin') {
        token.addGrant({
          room,
          roomJoin: true,
          canPublish: false,
          canSubscribe: true,
          canPublishData: false,
        });
      } else {
        throw new ForbiddenError(`A ${principal.role} cannot join interview rooms`);
      }
      return token.toJwt();
    },
    /** The room carries its session and organisation, so the verifier can find and attribute it. */
    async create(room: string, metadata: RoomMetadata): Promise<void> {
      await service.createRoom({
        name: room,
        emptyTimeout: 600,
        departureTimeout: 60,
        metadata: encodeRoomMetadata(metadata),
      });
    },
    /** Ends the call for everyone: the candidate's page sees the disconnect and finishes. */
    async close(room: string): Promise<void> {
      await service.deleteRoom(room).catch(() => undefined);
    },
  };
}

export type Rooms = ReturnType<typeof createRooms>;
