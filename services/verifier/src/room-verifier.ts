import {
  AudioStream,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  TrackKind,
  VideoBufferType,
  type VideoFrame,
  VideoStream,
} from '@livekit/rtc-node';
import {
  createRules,
  DEFAULT_RULES,
  type DetectionEvent,
  isDetectorError,
  objectKindOf,
} from '@proctor/detector';
import type { Detection, DetectorPool } from '@proctor/detector/node';
import {
  DisagreementKind,
  type EventEnvelope,
  newEventId,
  ObjectClass,
  type PayloadInit,
  RecordingState,
  type RoomMetadata,
} from '@proctor/domain';
import { forSession, type Logger } from '@proctor/kernel';
import { AccessToken } from 'livekit-server-sdk';
import {
  alreadyDisagreed,
  browserReported,
  lastBrowserEventMs,
  observedName,
  type Sighting,
  sightingOf,
} from './disagreements.ts';
import { type Recorder, spoolPath, startRecorder } from './recorder.ts';
import { type RecordingStore, recordingChanged, recordingKey } from './recordings.ts';
import { nextSampleDelayMs, type SamplingPlan } from './sampling.ts';

export interface VerifiedRoom extends RoomMetadata {
  name: string;
}

export interface RoomVerifierDeps {
  livekit: { url: string; apiKey: string; apiSecret: string };
  producerId: string;
  pool: DetectorPool;
  observeFrameMs: (ms: number) => void;
  plan: () => SamplingPlan;
  sampling: {
    configuredFps: number;
    jitter: number;
    objectsEvery: number;
    graceMs: number;
    silentMs: number;
  };
  /** Sends platform events (Kafka, then a live alert). */
  emit: (sessionId: string, orgId: string, payloads: PayloadInit[]) => Promise<void>;
  /** The session's browser reports and the verifier's past disagreements, from the event store. */
  readReports: (sessionId: string) => Promise<EventEnvelope[]>;
  recording: { store: RecordingStore; spoolDir: string; ffmpegPath: string } | null;
  logger: Logger;
}

export interface RoomStats {
  room: string;
  sessionId: string;
  framesSeen: number;
  samples: number;
  samplesDropped: number;
  disagreements: number;
  recording: boolean;
}

const CANDIDATE = 'candidate:';

/** A media stream's items until it ends (the DOM typings lack ReadableStream's async iterator). */
async function* read<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * Watches one interview room: joins as a hidden, subscribe-only participant; samples the candidate's camera
 * at jittered times for the detector pool; turns samples into the verifier's own episodes; and records a
 * disagreement when the browser did not report an episode, or stops reporting while frames keep coming.
 * Also records the candidate's camera and microphone. Ends when the room or the connection ends.
 */
export async function startRoomVerifier(deps: RoomVerifierDeps, room: VerifiedRoom) {
  const logger = forSession(deps.logger, room.sessionId).child({ room: room.name });
  const { sampling } = deps;
  const maxGapMs = (1000 / sampling.configuredFps) * (1 + sampling.jitter);
  // Samples are sparse: a condition must survive the gap between two samples, and a sighting may be offset
  // from the browser's by up to a gap on each side.
  const rules = createRules({
    config: { startToleranceMs: 2 * maxGapMs, endHysteresisMs: 1.5 * maxGapMs },
    newId: newEventId,
  });
  const toleranceMs = 5_000 + 2 * maxGapMs;
  const stats: RoomStats = {
    room: room.name,
    sessionId: room.sessionId,
    framesSeen: 0,
    samples: 0,
    samplesDropped: 0,
    disagreements: 0,
    recording: false,
  };
  const open = new Map<
    string,
    { start: DetectionEvent; end?: DetectionEvent; snapshot?: Uint8Array; judged: boolean }
  >();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let firstFrameAtMs: number | null = null;
  let silentFlaggedUntil = 0;
  let lastSilenceCheck = 0;
  let recorder: Recorder | null = null;
  let recordingSettled: Promise<void> = Promise.resolve();

  const emit = (payloads: PayloadInit[]) =>
    deps.emit(room.sessionId, room.orgId, payloads).catch((error: unknown) => {
      logger.error({ err: error }, 'verifier events could not be sent; they are lost for this sample');
    });

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  // --- disagreements -------------------------------------------------------------------------------------
  async function judge(episodeId: string, final: boolean): Promise<void> {
    const episode = open.get(episodeId);
    if (!episode || episode.judged) return;
    const sighting: Sighting = sightingOf(episode.start, Date.now(), episode.end);
    const reports = await deps.readReports(room.sessionId);
    const lastBrowser = lastBrowserEventMs(reports);
    // The browser may be offline with the report in its outbox: judge once it has delivered events dated after
    // the sighting began, or once it has been silent too long to wait for.
    const browserCaughtUp = lastBrowser !== null && lastBrowser >= sighting.fromMs;
    if (!browserCaughtUp && !final && Date.now() - sighting.fromMs < sampling.silentMs) {
      later(sampling.graceMs / 2, () => void judge(episodeId, false));
      return;
    }
    episode.judged = true;
    if (episode.end) open.delete(episodeId);
    if (browserReported(sighting, reports, toleranceMs) || alreadyDisagreed(sighting, reports)) return;
    stats.disagreements++;
    logger.warn(
      { observed: observedName(sighting), fromMs: sighting.fromMs },
      'browser did not report what the verifier saw',
    );
    await emit([
      {
        case: 'disagreement',
        value: {
          kind: DisagreementKind.UNREPORTED_EVENT,
          observed: observedName(sighting),
          fromMs: BigInt(sighting.fromMs),
          toMs: BigInt(sighting.toMs),
          evidence: {
            frameTimeMs: BigInt(Math.round(episode.start.evidence.frameTimeMs)),
            confidence: episode.start.evidence.confidence,
            boxes: episode.start.evidence.boxes,
            snapshotRef: episode.snapshot
              ? `data:image/jpeg;base64,${Buffer.from(episode.snapshot).toString('base64')}`
              : '',
            recordingOffsetMs: recorder ? BigInt(Math.max(0, sighting.fromMs - recorder.startedAtMs)) : 0n,
          },
        },
      },
    ]);
  }

  function onEpisode(event: DetectionEvent, snapshot: Uint8Array | undefined): void {
    if (event.phase === 'START') {
      open.set(event.episodeId, { start: event, snapshot, judged: false });
      later(sampling.graceMs, () => void judge(event.episodeId, false));
      return;
    }
    const episode = open.get(event.episodeId);
    if (!episode) return;
    episode.end = event;
    if (episode.judged) open.delete(event.episodeId);
  }

  /** Frames keep coming but the browser's detector has said nothing for `silentMs`: it was stopped or tampered with. */
  async function checkSilence(now: number): Promise<void> {
    if (firstFrameAtMs === null || now - lastSilenceCheck < sampling.silentMs / 4) return;
    lastSilenceCheck = now;
    const lastBrowser = lastBrowserEventMs(await deps.readReports(room.sessionId));
    const silentSince = Math.max(lastBrowser ?? 0, firstFrameAtMs, silentFlaggedUntil);
    if (now - silentSince < sampling.silentMs) return;
    silentFlaggedUntil = now;
    stats.disagreements++;
    logger.warn({ silentSinceMs: silentSince }, 'browser stopped reporting while the camera is live');
    await emit([
      {
        case: 'disagreement',
        value: {
          kind: DisagreementKind.CLIENT_SILENT,
          observed: 'BROWSER_SILENT',
          fromMs: BigInt(silentSince),
          toMs: BigInt(now),
          evidence: {
            frameTimeMs: BigInt(now),
            confidence: 1,
            boxes: [],
            snapshotRef: '',
            recordingOffsetMs: 0n,
          },
        },
      },
    ]);
  }

  // --- sampling ------------------------------------------------------------------------------------------
  let nextSampleAt = Date.now() + nextSampleDelayMs(sampling.configuredFps, sampling.jitter);
  let inFlight = false;

  async function sample(frame: VideoFrame): Promise<void> {
    const now = Date.now();
    const objects = stats.samples % sampling.objectsEvery === 0;
    stats.samples++;
    let detection: Detection;
    try {
      const rgba = frame.convert(VideoBufferType.RGBA);
      detection = await deps.pool.detect(
        { kind: 'raw', format: 'rgba', width: rgba.width, height: rgba.height, data: rgba.data },
        { timeMs: now, objects, snapshot: true },
      );
    } catch (error) {
      stats.samplesDropped++;
      if (!isDetectorError(error, 'POOL_SATURATED')) logger.warn({ err: error }, 'sample not analysed');
      return;
    }
    deps.observeFrameMs(detection.timings.totalMs);
    const { observation } = detection;
    const main = observation.faces[0];
    await emit([
      {
        case: 'verifierObservation',
        value: {
          sampleId: newEventId(),
          frameTimeMs: BigInt(now),
          faceCount: observation.faces.length,
          yawDeg: main?.yawDeg ?? 0,
          pitchDeg: main?.pitchDeg ?? 0,
          eyesClosed:
            main?.eyeAspectRatio !== undefined && main.eyeAspectRatio < DEFAULT_RULES.closedEyeAspectRatio,
          objects: (observation.objects ?? []).flatMap((o) => {
            const kind = objectKindOf(o.label);
            // The proto's object classes are named like the detector's kinds.
            return kind ? [{ objectClass: ObjectClass[kind], confidence: o.confidence, box: o.box }] : [];
          }),
        },
      },
    ]);
    for (const event of rules.push(observation)) onEpisode(event, detection.snapshot);
    await checkSilence(now);
  }

  // --- recording -----------------------------------------------------------------------------------------
  function record(frame: VideoFrame): void {
    if (!deps.recording) return;
    const i420 = frame.type === VideoBufferType.I420 ? frame : frame.convert(VideoBufferType.I420);
    if (!recorder) {
      const startedAtMs = Date.now();
      recorder = startRecorder({
        ffmpegPath: deps.recording.ffmpegPath,
        file: spoolPath(deps.recording.spoolDir, room.orgId, room.sessionId, startedAtMs),
        width: i420.width,
        height: i420.height,
        logger,
      });
      stats.recording = true;
      logger.info({ width: i420.width, height: i420.height }, 'recording started');
      void emit([
        {
          case: 'recordingChanged',
          value: {
            state: RecordingState.STARTED,
            objectKey: recordingKey(room.orgId, room.sessionId, recorder.startedAtMs),
          },
        },
      ]);
    }
    recorder.video(i420.data, i420.width, i420.height);
  }

  /** Closes the current part (candidate left, room ended), uploads it and reports how it went. */
  function finishRecording(): Promise<void> {
    const current = recorder;
    const store = deps.recording?.store;
    recorder = null;
    stats.recording = false;
    if (!current || !store) return recordingSettled;
    recordingSettled = recordingSettled.then(async () => {
      const part = await current.finish();
      const outcome = await store.upload(part, recordingKey(room.orgId, room.sessionId, part.startedAtMs));
      logger.info({ ...outcome, droppedForSize: part.framesDroppedForSize }, 'recording part stored');
      await emit([recordingChanged(outcome)]);
    });
    return recordingSettled;
  }

  // --- media ---------------------------------------------------------------------------------------------
  async function consumeVideo(track: RemoteTrack): Promise<void> {
    for await (const { frame } of read(new VideoStream(track))) {
      if (stopped) break;
      const now = Date.now();
      stats.framesSeen++;
      firstFrameAtMs ??= now;
      record(frame);
      if (now >= nextSampleAt && !inFlight) {
        nextSampleAt = now + nextSampleDelayMs(deps.plan().perRoomFps, sampling.jitter);
        inFlight = true;
        void sample(frame).finally(() => {
          inFlight = false;
        });
      }
    }
  }

  async function consumeAudio(track: RemoteTrack): Promise<void> {
    for await (const frame of read(new AudioStream(track, { sampleRate: 48_000, numChannels: 1 }))) {
      if (stopped) break;
      recorder?.audio(frame.data);
    }
  }

  const token = new AccessToken(deps.livekit.apiKey, deps.livekit.apiSecret, {
    identity: `verifier:${deps.producerId}`,
    name: 'verifier',
    ttl: '10m',
  });
  // Hidden and subscribe-only: the candidate and the interviewer never see it, and it can send nothing.
  token.addGrant({
    room: room.name,
    roomJoin: true,
    hidden: true,
    canSubscribe: true,
    canPublish: false,
    canPublishData: false,
  });
  const lk = new Room();
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  lk.on(
    RoomEvent.TrackSubscribed,
    (track: RemoteTrack, _publication: unknown, participant: RemoteParticipant) => {
      if (!participant.identity.startsWith(CANDIDATE)) return;
      const consume =
        track.kind === TrackKind.KIND_VIDEO
          ? consumeVideo
          : track.kind === TrackKind.KIND_AUDIO
            ? consumeAudio
            : null;
      consume?.(track).catch((error: unknown) =>
        logger.warn({ err: error }, 'track stream ended with an error'),
      );
    },
  );
  lk.on(RoomEvent.ParticipantDisconnected, (participant: RemoteParticipant) => {
    if (participant.identity.startsWith(CANDIDATE)) void finishRecording();
  });
  lk.on(RoomEvent.Disconnected, () => {
    resolveDone();
  });
  await lk.connect(deps.livekit.url, await token.toJwt(), { autoSubscribe: true, dynacast: false });
  logger.info('verifying room');

  return {
    room,
    stats: (): RoomStats => ({ ...stats }),
    /** Resolves when the room or the connection ends. */
    done,
    /**
     * Leaves the room: the recording is closed and uploaded; pending judgements are made now, unless the room
     * is handed over to another verifier (which sees the same camera and judges for itself).
     */
    async stop(options: { handover?: boolean } = {}): Promise<void> {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (!options.handover)
        await Promise.all([...open.keys()].map((id) => judge(id, true).catch(() => undefined)));
      await lk.disconnect().catch(() => undefined);
      await finishRecording();
      resolveDone();
      logger.info({ ...stats }, 'left room');
    },
  };
}

export type RoomVerifier = Awaited<ReturnType<typeof startRoomVerifier>>;
