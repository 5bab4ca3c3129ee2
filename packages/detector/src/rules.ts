import type { EventPayloadJson } from '@proctor/domain';
import { DEFAULT_RULES, type RulesConfig } from './config.ts';
import { DETECTOR_VERSION, measuredPrecisionOf } from './measured.ts';

/** A rectangle in frame pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One face as the models see it. Angles in degrees; gaze −1..1 per axis; eye aspect ratio ~0.3 open. */
export interface FaceObservation {
  box: Box;
  confidence: number;
  yawDeg: number;
  pitchDeg: number;
  gazeX?: number;
  gazeY?: number;
  eyeAspectRatio?: number;
}

/** One detected object with its COCO label ("cell phone", "book", "laptop", ...). */
export interface ObjectObservation {
  label: string;
  confidence: number;
  box: Box;
}

/**
 * What the models saw in one frame. `objects` is present only on frames where object detection ran
 * (it runs on a slower cadence than the face pipeline).
 */
export interface FrameObservation {
  timeMs: number;
  faces: FaceObservation[];
  objects?: ObjectObservation[];
}

export type ObjectKind = 'PHONE' | 'BOOK' | 'PAPER' | 'LAPTOP' | 'KEYBOARD' | 'SCREEN';
export type RuleKind = 'FACE_ABSENT' | 'LOOKING_AWAY' | 'MULTIPLE_FACES' | 'EYES_CLOSED' | 'OBJECT';

/** A proctoring event with start/end phases; START is dated from when the condition began. */
export interface DetectionEvent {
  kind: RuleKind;
  phase: 'START' | 'END';
  episodeId: string;
  /** When the condition began (START) or ended (END). */
  atMs: number;
  /** On END: how long it lasted. */
  durationMs: number;
  objectKind?: ObjectKind;
  label?: string;
  faceCount?: number;
  yawDeg?: number;
  pitchDeg?: number;
  eyeAspectRatio?: number;
  evidence: { frameTimeMs: number; confidence: number; boxes: Box[] };
}

/** The candidate's neutral pose, measured while they look at the screen at the start. */
export interface Calibration {
  yawDeg: number;
  pitchDeg: number;
  gazeX: number;
  gazeY: number;
  /** The candidate's own open-eye aspect ratio (eyes differ: a narrow eye is not a closed one). */
  eyeAspectRatio?: number;
}

export const NO_CALIBRATION: Calibration = { yawDeg: 0, pitchDeg: 0, gazeX: 0, gazeY: 0 };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor(sorted.length / 2)] ?? 0) : 0;
};

/** The neutral pose from calibration frames (median, robust to a glance); needs frames with one face. */
export function calibrate(frames: FrameObservation[]): Calibration {
  const faces = frames.flatMap((f) => (f.faces.length === 1 && f.faces[0] ? [f.faces[0]] : []));
  if (faces.length < 3) throw new Error('calibration needs at least 3 frames showing exactly one face');
  return {
    yawDeg: median(faces.map((f) => f.yawDeg)),
    pitchDeg: median(faces.map((f) => f.pitchDeg)),
    gazeX: median(faces.map((f) => f.gazeX ?? 0)),
    gazeY: median(faces.map((f) => f.gazeY ?? 0)),
    eyeAspectRatio: median(faces.flatMap((f) => (f.eyeAspectRatio === undefined ? [] : [f.eyeAspectRatio]))),
  };
}

/** COCO labels that matter, by kind. Screens are also where faces may legitimately appear (a video call). */
const OBJECT_KINDS: Record<string, ObjectKind> = {
  'cell phone': 'PHONE',
  book: 'BOOK',
  laptop: 'LAPTOP',
  keyboard: 'KEYBOARD',
  tv: 'SCREEN',
};
const SCREEN_LABELS = new Set(['tv', 'laptop']);

/** The kind of a detected object by its COCO label, or undefined for labels the rules ignore. */
export const objectKindOf = (label: string): ObjectKind | undefined => OBJECT_KINDS[label];

const inside = (inner: Box, outer: Box) => {
  const cx = inner.x + inner.width / 2;
  const cy = inner.y + inner.height / 2;
  return cx >= outer.x && cx <= outer.x + outer.width && cy >= outer.y && cy <= outer.y + outer.height;
};

/** What one frame shows, judged with the rules' thresholds: the same judgement for the rules, verifier and eval. */
export interface FrameConditions {
  /** The faces that count: confident, and not inside a screen (a video call, a photo on a monitor). */
  faces: FaceObservation[];
  /** The largest counted face: the candidate. */
  main?: FaceObservation;
  /** Head pose and gaze relative to the calibrated neutral pose. */
  yawDeg: number;
  pitchDeg: number;
  gaze: number;
  /** A person is in view but no face is found: turned away, or the face hidden (it also counts as no face). */
  personWithoutFace: boolean;
  away: boolean;
  eyesClosed: boolean;
}

/**
 * Judges one frame. `context` is what the latest object check saw (screens that may show faces, people),
 * since objects are checked on a slower cadence than faces.
 */
export function frameConditions(
  frame: FrameObservation,
  config: RulesConfig,
  calibration: Calibration,
  context: { screens: Box[]; people: Box[] },
): FrameConditions {
  const faces = frame.faces
    .filter((f) => f.confidence >= config.minFaceConfidence && !context.screens.some((s) => inside(f.box, s)))
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  const main = faces[0];
  const yawDeg = main ? main.yawDeg - calibration.yawDeg : 0;
  const pitchDeg = main ? main.pitchDeg - calibration.pitchDeg : 0;
  const gaze = main
    ? Math.max(
        Math.abs((main.gazeX ?? calibration.gazeX) - calibration.gazeX),
        Math.abs((main.gazeY ?? calibration.gazeY) - calibration.gazeY),
      )
    : 0;
  const personWithoutFace = !main && context.people.length > 0;
  const away =
    personWithoutFace ||
    (!!main &&
      (Math.abs(yawDeg) > config.maxYawDeg ||
        Math.abs(pitchDeg) > config.maxPitchDeg ||
        gaze > config.maxGaze));
  // Calibrated, "closed" is relative to the candidate's own open eyes, so narrow eyes or a laugh are not sleep.
  const closedBelow =
    calibration.eyeAspectRatio !== undefined
      ? Math.min(config.closedEyeAspectRatio, calibration.eyeAspectRatio * config.closedEyeRelative)
      : config.closedEyeAspectRatio;
  const eyesClosed = !!main && main.eyeAspectRatio !== undefined && main.eyeAspectRatio < closedBelow;
  return { faces, main, yawDeg, pitchDeg, gaze, personWithoutFace, away, eyesClosed };
}

/** The items of one object check that count, by kind (the most confident of each), with per-kind thresholds. */
export function objectSightings(
  objects: ObjectObservation[],
  config: RulesConfig,
): Map<ObjectKind, ObjectObservation> {
  const seen = new Map<ObjectKind, ObjectObservation>();
  for (const o of objects) {
    const kind = OBJECT_KINDS[o.label];
    if (!kind || o.confidence < config.objectConfidence[kind]) continue;
    if ((seen.get(kind)?.confidence ?? 0) < o.confidence) seen.set(kind, o);
  }
  return seen;
}

/** The context a check leaves for the face frames that follow it: screens (faces there don't count) and people. */
export function objectContext(objects: ObjectObservation[], config: RulesConfig) {
  const confident = (o: ObjectObservation) => {
    const kind = OBJECT_KINDS[o.label];
    return !!kind && o.confidence >= config.objectConfidence[kind];
  };
  return {
    screens: objects.filter((o) => SCREEN_LABELS.has(o.label) && confident(o)).map((o) => o.box),
    people: objects
      .filter((o) => o.label === 'person' && o.confidence >= config.personConfidence)
      .map((o) => o.box),
  };
}

/** A condition that must hold for `minMs` to start and be gone for the hysteresis to end. */
interface Episode {
  since: number | null;
  lastTrue: number | null;
  /** The first frame of the current stretch where the condition is gone. */
  falseSince: number | null;
  active: { id: string; startedAt: number } | null;
}

/**
 * The temporal rules: feed frames in time order, get START/END events. Pure and deterministic (episode ids
 * come from `newId`), so a synthetic timeline always gives the same events.
 */
export function createRules(
  options: { config?: Partial<RulesConfig>; calibration?: Calibration; newId?: () => string } = {},
) {
  const config: RulesConfig = { ...DEFAULT_RULES, ...options.config };
  let calibration = options.calibration ?? NO_CALIBRATION;
  let counter = 0;
  const newId = options.newId ?? (() => `episode-${++counter}`);
  const episodes = new Map<string, Episode>();
  const objectStreak = new Map<
    ObjectKind,
    {
      /** Whether each of the last `objectWindow` checks saw the item. */
      recent: boolean[];
      clear: number;
      active: { id: string; startedAt: number } | null;
      firstSeenAt?: number;
      last?: ObjectObservation;
    }
  >();
  let context: { screens: Box[]; people: Box[] } = { screens: [], people: [] };

  const episode = (key: string): Episode => {
    let e = episodes.get(key);
    if (!e) {
      e = { since: null, lastTrue: null, falseSince: null, active: null };
      episodes.set(key, e);
    }
    return e;
  };

  /** Advances one condition; returns the event it produced, if any. */
  function track(
    key: string,
    kind: RuleKind,
    holds: boolean,
    minMs: number,
    t: number,
    detail: Omit<DetectionEvent, 'kind' | 'phase' | 'episodeId' | 'atMs' | 'durationMs'>,
  ): DetectionEvent | undefined {
    const e = episode(key);
    if (holds) {
      e.since ??= t;
      e.lastTrue = t;
      e.falseSince = null;
      if (!e.active && t - e.since >= minMs) {
        e.active = { id: newId(), startedAt: e.since };
        return { kind, phase: 'START', episodeId: e.active.id, atMs: e.since, durationMs: 0, ...detail };
      }
      return undefined;
    }
    if (e.active && e.lastTrue !== null && t - e.lastTrue >= config.endHysteresisMs) {
      const ended = e.active;
      const at = e.lastTrue;
      e.active = null;
      e.since = null;
      return {
        kind,
        phase: 'END',
        episodeId: ended.id,
        atMs: at,
        durationMs: at - ended.startedAt,
        ...detail,
      };
    }
    // Only a gap (frames where the condition is gone) longer than the tolerance resets a build-up; slow frames
    // that all show the condition do not.
    e.falseSince ??= t;
    if (!e.active && t - e.falseSince > config.startToleranceMs) e.since = null;
    return undefined;
  }

  function objects(frame: FrameObservation): DetectionEvent[] {
    if (!frame.objects) return [];
    context = objectContext(frame.objects, config);
    const sightings = objectSightings(frame.objects, config);
    const events: DetectionEvent[] = [];
    for (const kind of new Set(Object.values(OBJECT_KINDS))) {
      const seen = sightings.get(kind);
      const streak = objectStreak.get(kind) ?? { recent: [], clear: 0, active: null };
      objectStreak.set(kind, streak);
      // Evidence over the last checks of an episode, not one frame: a single miss or false sighting decides nothing.
      streak.recent.push(!!seen);
      if (streak.recent.length > config.objectWindow) streak.recent.shift();
      if (seen) {
        streak.clear = 0;
        streak.last = seen;
        streak.firstSeenAt ??= frame.timeMs;
        if (!streak.active && streak.recent.filter(Boolean).length >= config.objectChecks) {
          streak.active = { id: newId(), startedAt: streak.firstSeenAt };
          events.push({
            kind: 'OBJECT',
            phase: 'START',
            episodeId: streak.active.id,
            atMs: streak.active.startedAt,
            durationMs: 0,
            objectKind: kind,
            label: seen.label,
            evidence: { frameTimeMs: frame.timeMs, confidence: seen.confidence, boxes: [seen.box] },
          });
        }
      } else {
        streak.clear += 1;
        if (!streak.recent.some(Boolean)) streak.firstSeenAt = undefined;
        if (streak.active && streak.clear >= config.objectClearChecks) {
          events.push({
            kind: 'OBJECT',
            phase: 'END',
            episodeId: streak.active.id,
            atMs: frame.timeMs,
            durationMs: frame.timeMs - streak.active.startedAt,
            objectKind: kind,
            label: streak.last?.label,
            evidence: { frameTimeMs: frame.timeMs, confidence: streak.last?.confidence ?? 0, boxes: [] },
          });
          streak.active = null;
          streak.firstSeenAt = undefined;
        }
      }
    }
    return events;
  }

  return {
    config,
    /** Adopts the neutral pose once it is measured; rules run meanwhile, against the camera's axis. */
    recalibrate(next: Calibration): void {
      calibration = next;
    },
    push(frame: FrameObservation): DetectionEvent[] {
      const t = frame.timeMs;
      const events = objects(frame);
      const { faces, main, yawDeg, pitchDeg, away, eyesClosed } = frameConditions(
        frame,
        config,
        calibration,
        context,
      );
      const evidence = { frameTimeMs: t, confidence: main?.confidence ?? 0, boxes: faces.map((f) => f.box) };
      const candidates = [
        track('absent', 'FACE_ABSENT', faces.length === 0, config.faceAbsentMs, t, { evidence }),
        track('multiple', 'MULTIPLE_FACES', faces.length > 1, config.multipleFacesMs, t, {
          faceCount: faces.length,
          evidence,
        }),
        track('away', 'LOOKING_AWAY', away, config.lookingAwayMs, t, {
          yawDeg,
          pitchDeg,
          evidence,
        }),
        track('eyes', 'EYES_CLOSED', eyesClosed, config.eyesClosedMs, t, {
          eyeAspectRatio: main?.eyeAspectRatio,
          evidence,
        }),
      ];
      for (const event of candidates) if (event) events.push(event);
      return events;
    },
  };
}

export type Rules = ReturnType<typeof createRules>;

/** The protobuf JSON name of an object kind's class ("OBJECT_CLASS_PHONE"): the enum names match the kinds. */
export const objectClassName = (kind: ObjectKind) => `OBJECT_CLASS_${kind}` as const;

/** The event's payload as POST /api/logs takes it (protobuf JSON of one EventEnvelope payload). */
export function toEventPayload(event: DetectionEvent, snapshotRef = ''): EventPayloadJson {
  const evidence = {
    frameTimeMs: String(Math.round(event.evidence.frameTimeMs)),
    confidence: event.evidence.confidence,
    boxes: event.evidence.boxes,
    snapshotRef,
    measuredPrecision: measuredPrecisionOf(event),
    modelVersion: DETECTOR_VERSION,
  };
  const base = {
    phase: `PHASE_${event.phase}` as const,
    episodeId: event.episodeId,
    evidence,
    ...(event.phase === 'END' ? { durationMs: String(Math.round(event.durationMs)) } : {}),
  };
  switch (event.kind) {
    case 'FACE_ABSENT':
      return { faceAbsent: base };
    case 'MULTIPLE_FACES':
      return { multipleFaces: { ...base, faceCount: event.faceCount ?? 2 } };
    case 'LOOKING_AWAY':
      return { lookingAway: { ...base, yawDeg: event.yawDeg ?? 0, pitchDeg: event.pitchDeg ?? 0 } };
    case 'EYES_CLOSED':
      return { eyesClosed: { ...base, eyeAspectRatio: event.eyeAspectRatio ?? 0, drowsy: true } };
    case 'OBJECT':
      return {
        objectDetected: {
          ...base,
          objectClass: objectClassName(event.objectKind ?? 'PHONE'),
          label: event.label ?? '',
          confidence: event.evidence.confidence,
          ...(event.evidence.boxes[0] ? { box: event.evidence.boxes[0] } : {}),
        },
      };
  }
}
