import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  AudioKind,
  DisagreementKind,
  type Evidence,
  ObjectClass,
  RecordingState,
  ReviewDecision,
  Source,
} from '@proctor/proto';
import { type EventEnvelope, occurredAtMs, Phase, phaseOf, type StoredEvent } from './events.ts';

/** What a flag is about; the report counts and the policy deducts by these. */
export type FlagKind =
  | 'FOCUS_LOST'
  | 'FACE_ABSENT'
  | 'MULTIPLE_FACES'
  | 'EYES_CLOSED'
  | 'PHONE'
  | 'BOOK_OR_NOTES'
  | 'EXTRA_DEVICE'
  | 'VOICE'
  | 'NOISE'
  | 'TAB_HIDDEN'
  | 'WINDOW_BLURRED'
  | 'FULLSCREEN_EXITED'
  | 'CLIPBOARD_PASTED'
  | 'NETWORK_LOST'
  | 'DISAGREEMENT';

export interface FlagEvidence {
  frameTimeMs: number;
  confidence: number;
  boxes: { x: number; y: number; width: number; height: number }[];
  snapshotRef: string;
  recordingOffsetMs: number;
  /** How often a flag of this kind is right, as the detector's evaluation measured it (0: not measured). */
  measuredPrecision: number;
  /** The detector version that precision was measured for. */
  modelVersion: string;
}

/** A suspicious episode: the START and END events that share an episode id, or one instant event. */
export interface Flag {
  id: string;
  kind: FlagKind;
  source: 'browser' | 'verifier' | 'system';
  /** The detector's label for objects ("cell phone"), the observed thing for disagreements. */
  label: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number;
  confidence: number;
  evidence: FlagEvidence | null;
  review: { decision: 'CONFIRMED' | 'DISMISSED'; note: string; at: string } | null;
}

export type SessionStatus = 'scheduled' | 'live' | 'ended';

/** The `sessions` read model: everything the report and the dashboards need about one interview. */
export interface SessionView {
  _id: string;
  orgId: string;
  title: string;
  candidateName: string;
  candidateEmail: string;
  interviewerId: string;
  roomName: string;
  scheduledAt: string | null;
  status: SessionStatus;
  createdAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  endReason: string;
  /** Last per-session sequence applied: the projection's checkpoint, so a redelivered event changes nothing. */
  lastSeq: number;
  lastPosition: number;
  eventCount: number;
  eventsByKind: Record<string, number>;
  verifierSamples: number;
  flags: Flag[];
  recording: {
    state: 'none' | 'recording' | 'completed' | 'failed';
    /** When the recording began: flags point into it at (flag start − this). */
    startedAt: string | null;
    objectKey: string;
    durationMs: number;
    sizeBytes: number;
    error: string;
  };
  lastClientEventAt: string | null;
  updatedAt: string | null;
}

export function initialSession(sessionId: string): SessionView {
  return {
    _id: sessionId,
    orgId: '',
    title: '',
    candidateName: '',
    candidateEmail: '',
    interviewerId: '',
    roomName: '',
    scheduledAt: null,
    status: 'scheduled',
    createdAt: null,
    startedAt: null,
    endedAt: null,
    endReason: '',
    lastSeq: 0,
    lastPosition: 0,
    eventCount: 0,
    eventsByKind: {},
    verifierSamples: 0,
    flags: [],
    recording: { state: 'none', startedAt: null, objectKey: '', durationMs: 0, sizeBytes: 0, error: '' },
    lastClientEventAt: null,
    updatedAt: null,
  };
}

const OBJECT_FLAG: Record<ObjectClass, FlagKind> = {
  [ObjectClass.UNSPECIFIED]: 'EXTRA_DEVICE',
  [ObjectClass.PHONE]: 'PHONE',
  [ObjectClass.BOOK]: 'BOOK_OR_NOTES',
  [ObjectClass.PAPER]: 'BOOK_OR_NOTES',
  [ObjectClass.LAPTOP]: 'EXTRA_DEVICE',
  [ObjectClass.TABLET]: 'EXTRA_DEVICE',
  [ObjectClass.KEYBOARD]: 'EXTRA_DEVICE',
  [ObjectClass.SCREEN]: 'EXTRA_DEVICE',
  [ObjectClass.OTHER_DEVICE]: 'EXTRA_DEVICE',
};

const SOURCE_NAME: Record<Source, Flag['source']> = {
  [Source.UNSPECIFIED]: 'system',
  [Source.BROWSER]: 'browser',
  [Source.VERIFIER]: 'verifier',
  [Source.SYSTEM]: 'system',
};

/** Who produced an event, by name: the one list for the read model, alerts, analytics and the API. */
export const sourceName = (source: Source): Flag['source'] => SOURCE_NAME[source] ?? 'system';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Applies one stored event to the read model. Pure and idempotent: an event at or below the checkpoint
 * changes nothing, so at-least-once delivery never counts twice. START/END pairs meet by episode id in
 * whichever order they arrive.
 */
export function evolveSession(view: SessionView, stored: StoredEvent): SessionView {
  const event = stored.event;
  const seq = Number(stored.sessionSeq);
  if (!event || seq <= view.lastSeq) return view;
  const next: SessionView = {
    ...view,
    lastSeq: seq,
    lastPosition: Math.max(view.lastPosition, Number(stored.globalPosition)),
    eventCount: view.eventCount + 1,
    eventsByKind: { ...view.eventsByKind },
    flags: view.flags,
    orgId: view.orgId || event.orgId,
    updatedAt: event.receivedAt ? timestampDate(event.receivedAt).toISOString() : view.updatedAt,
  };
  const kind = event.payload.case;
  if (kind) next.eventsByKind[kind] = (next.eventsByKind[kind] ?? 0) + 1;
  if (event.source === Source.BROWSER) next.lastClientEventAt = iso(occurredAtMs(event));
  applyPayload(next, event);
  return next;
}

function applyPayload(view: SessionView, event: EventEnvelope): void {
  const at = occurredAtMs(event);
  const payload = event.payload;
  switch (payload.case) {
    case 'sessionCreated': {
      const created = payload.value;
      view.title = created.title;
      view.candidateName = created.candidateName;
      view.candidateEmail = created.candidateEmail;
      view.interviewerId = created.interviewerId;
      view.roomName = created.roomName;
      view.scheduledAt = created.scheduledAt ? timestampDate(created.scheduledAt).toISOString() : null;
      view.createdAt = iso(at);
      return;
    }
    case 'sessionStarted':
      if (view.status === 'scheduled') {
        view.status = 'live';
        view.startedAt = iso(at);
      }
      return;
    case 'sessionEnded':
      if (view.status !== 'ended') {
        view.status = 'ended';
        view.endedAt = iso(at);
        view.endReason = payload.value.reason;
        view.startedAt ??= view.endedAt;
      }
      return;
    case 'faceAbsent':
      episode(view, event, 'FACE_ABSENT', payload.value, '', 0);
      return;
    case 'multipleFaces':
      episode(view, event, 'MULTIPLE_FACES', payload.value, `${payload.value.faceCount} faces`, 0);
      return;
    case 'lookingAway':
      episode(view, event, 'FOCUS_LOST', payload.value, '', 0);
      return;
    case 'eyesClosed':
      episode(view, event, 'EYES_CLOSED', payload.value, payload.value.drowsy ? 'drowsy' : '', 0);
      return;
    case 'objectDetected':
      episode(
        view,
        event,
        OBJECT_FLAG[payload.value.objectClass],
        payload.value,
        payload.value.label,
        payload.value.confidence,
      );
      return;
    case 'audioDetected':
      episode(view, event, payload.value.kind === AudioKind.VOICE ? 'VOICE' : 'NOISE', payload.value, '', 0);
      return;
    case 'tabHidden':
      episode(view, event, 'TAB_HIDDEN', payload.value, '', 0);
      return;
    case 'windowBlurred':
      episode(view, event, 'WINDOW_BLURRED', payload.value, '', 0);
      return;
    case 'networkChanged':
      episode(view, event, 'NETWORK_LOST', payload.value, '', 0);
      return;
    case 'fullscreenExited':
      episode(view, event, 'FULLSCREEN_EXITED', { phase: Phase.INSTANT, episodeId: event.eventId }, '', 0);
      return;
    case 'clipboardPasted':
      episode(
        view,
        event,
        'CLIPBOARD_PASTED',
        { phase: Phase.INSTANT, episodeId: event.eventId },
        `${payload.value.length} characters`,
        0,
      );
      return;
    case 'disagreement': {
      const d = payload.value;
      const what =
        d.kind === DisagreementKind.CLIENT_SILENT
          ? 'browser stopped reporting'
          : `browser did not report: ${d.observed
              .replace(/^OBJECT_CLASS_/, '')
              .toLowerCase()
              .replaceAll('_', ' ')}`;
      episode(
        view,
        event,
        'DISAGREEMENT',
        {
          phase: Phase.INSTANT,
          episodeId: event.eventId,
          evidence: d.evidence,
          durationMs: BigInt(d.toMs - d.fromMs),
        },
        what,
        d.evidence?.confidence ?? 0,
        d.fromMs > 0n ? Number(d.fromMs) : undefined,
      );
      return;
    }
    case 'verifierObservation':
      view.verifierSamples += 1;
      return;
    case 'flagReviewed': {
      const review = payload.value;
      const decision =
        review.decision === ReviewDecision.CONFIRMED
          ? 'CONFIRMED'
          : review.decision === ReviewDecision.DISMISSED
            ? 'DISMISSED'
            : null;
      if (!decision) return;
      view.flags = view.flags.map((flag) =>
        flag.id === review.flagId ? { ...flag, review: { decision, note: review.note, at: iso(at) } } : flag,
      );
      return;
    }
    case 'recordingChanged': {
      const r = payload.value;
      const state =
        r.state === RecordingState.STARTED
          ? 'recording'
          : r.state === RecordingState.COMPLETED
            ? 'completed'
            : r.state === RecordingState.FAILED
              ? 'failed'
              : view.recording.state;
      view.recording = {
        state,
        startedAt: r.state === RecordingState.STARTED ? iso(at) : view.recording.startedAt,
        objectKey: r.objectKey || view.recording.objectKey,
        durationMs: Number(r.durationMs),
        sizeBytes: Number(r.sizeBytes),
        error: r.error,
      };
      return;
    }
    case 'detectorStatus':
      return; // counted in eventsByKind and lastClientEventAt: proof the browser's detector is running
    case undefined:
      return;
    default: {
      const unhandled: never = payload;
      throw new Error(`evolveSession: unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

interface EpisodePart {
  phase: Phase;
  episodeId: string;
  evidence?: Evidence;
  durationMs?: bigint;
}

function episode(
  view: SessionView,
  event: EventEnvelope,
  kind: FlagKind,
  part: EpisodePart,
  label: string,
  confidence: number,
  /** When the episode began, if not when the event occurred (a disagreement dates what was seen). */
  startMs?: number,
): void {
  const at = startMs ?? occurredAtMs(event);
  const phase = part.phase === Phase.UNSPECIFIED ? phaseOf(event) : part.phase;
  const id = part.episodeId || event.eventId;
  const existing = view.flags.find((flag) => flag.id === id);
  const evidence = part.evidence ? toFlagEvidence(part.evidence) : null;
  const base: Flag = existing ?? {
    id,
    kind,
    source: SOURCE_NAME[event.source],
    label,
    startedAt: iso(at),
    endedAt: null,
    durationMs: 0,
    confidence,
    evidence,
    review: null,
  };
  const flag: Flag = {
    ...base,
    label: base.label || label,
    confidence: Math.max(base.confidence, confidence, evidence?.confidence ?? 0),
  };
  if (!flag.evidence && evidence) flag.evidence = evidence;
  if (phase === Phase.START) {
    flag.startedAt = iso(at);
  } else if (phase === Phase.END) {
    flag.endedAt = iso(at);
    if (!existing) flag.startedAt = iso(at - Number(part.durationMs ?? 0n));
  } else {
    flag.endedAt = iso(at + Number(part.durationMs ?? 0n));
    if (part.durationMs) flag.startedAt = iso(at);
  }
  flag.durationMs = flag.endedAt ? Math.max(0, Date.parse(flag.endedAt) - Date.parse(flag.startedAt)) : 0;
  view.flags = existing ? view.flags.map((f) => (f.id === id ? flag : f)) : [...view.flags, flag];
}

function toFlagEvidence(evidence: Evidence): FlagEvidence {
  return {
    frameTimeMs: Number(evidence.frameTimeMs),
    confidence: evidence.confidence,
    boxes: evidence.boxes.map(({ x, y, width, height }) => ({ x, y, width, height })),
    snapshotRef: evidence.snapshotRef,
    recordingOffsetMs: Number(evidence.recordingOffsetMs),
    measuredPrecision: evidence.measuredPrecision,
    modelVersion: evidence.modelVersion,
  };
}
