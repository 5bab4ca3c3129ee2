/**
 * What a LiveKit room carries about its interview (in the room's metadata), so services that find rooms on
 * the media server (the verifier) know which session and organisation a room belongs to.
 */
export interface RoomMetadata {
  sessionId: string;
  orgId: string;
}

export const roomNameFor = (sessionId: string) => `interview-${sessionId}`;

export const encodeRoomMetadata = (metadata: RoomMetadata): string => JSON.stringify({ proctor: metadata });

/** The interview a room belongs to, or null for a room that is not an interview (or is malformed). */
export function decodeRoomMetadata(metadata: string | undefined): RoomMetadata | null {
  try {
    const value = (JSON.parse(metadata ?? '') as { proctor?: Partial<RoomMetadata> }).proctor;
    return typeof value?.sessionId === 'string' &&
      value.sessionId &&
      typeof value.orgId === 'string' &&
      value.orgId
      ? { sessionId: value.sessionId, orgId: value.orgId }
      : null;
  } catch {
    return null;
  }
}
