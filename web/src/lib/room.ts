import { type LocalVideoTrack, type RemoteTrack, Room, RoomEvent, Track } from 'livekit-client';

export class RoomError extends Error {
  override name = 'RoomError';
}

/**
 * The candidate's side of the call: publishes camera and microphone to the interview room and returns
 * the local camera track, whose frames the detector reads.
 */
export async function joinAsCandidate(
  url: string,
  token: string,
  stream: MediaStream,
): Promise<{ room: Room; camera: LocalVideoTrack }> {
  const room = new Room({ adaptiveStream: false, dynacast: true });
  try {
    await room.connect(url, token, { autoSubscribe: false });
  } catch (error) {
    throw new RoomError(
      `Could not reach the video service (${String(error)}). Check your connection and reload this page.`,
    );
  }
  const [videoTrack] = stream.getVideoTracks();
  const [audioTrack] = stream.getAudioTracks();
  if (!videoTrack) throw new RoomError('No camera track to publish');
  await room.localParticipant.publishTrack(videoTrack, { source: Track.Source.Camera, simulcast: false });
  if (audioTrack) await room.localParticipant.publishTrack(audioTrack, { source: Track.Source.Microphone });
  const camera = room.localParticipant.getTrackPublication(Track.Source.Camera)
    ?.videoTrack as LocalVideoTrack;
  return { room, camera };
}

/** The interviewer's side: subscribes to the candidate's camera and microphone and hands them to the page. */
export async function watchAsInterviewer(
  url: string,
  token: string,
  onTrack: (track: RemoteTrack, participant: string) => void,
  onGone: (participant: string) => void,
): Promise<Room> {
  const room = new Room({ adaptiveStream: true });
  room.on(RoomEvent.TrackSubscribed, (track, _publication, participant) =>
    onTrack(track, participant.identity),
  );
  room.on(RoomEvent.ParticipantDisconnected, (participant) => onGone(participant.identity));
  try {
    await room.connect(url, token, { autoSubscribe: true });
  } catch (error) {
    throw new RoomError(`Could not reach the video service (${String(error)}).`);
  }
  return room;
}
