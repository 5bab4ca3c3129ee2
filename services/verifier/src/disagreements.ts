import { type DetectionEvent, type ObjectKind, objectClassName, type RuleKind } from '@proctor/detector';
import {
  DisagreementKind,
  type EventEnvelope,
  type EventKind,
  ObjectClass,
  occurredAtMs,
  Phase,
  phaseOf,
  Source,
} from '@proctor/domain';

/**
 * Decides whether the browser reported what the verifier saw. Pure: the inputs are the verifier's episode
 * and the session's stored events.
 */

/** What the verifier saw for a sustained stretch (a START from its rules, closed by its END if any). */
export interface Sighting {
  kind: RuleKind;
  objectKind?: ObjectKind;
  fromMs: number;
  toMs: number;
}

/** Browser payloads that may report each kind of sighting. */
const REPORTED_AS: Record<RuleKind, EventKind> = {
  FACE_ABSENT: 'faceAbsent',
  MULTIPLE_FACES: 'multipleFaces',
  LOOKING_AWAY: 'lookingAway',
  EYES_CLOSED: 'eyesClosed',
  OBJECT: 'objectDetected',
};

/** Object classes that count as the same finding (a book seen as paper is still reported). */
const OBJECT_FAMILY: Record<ObjectKind, ObjectClass[]> = {
  PHONE: [ObjectClass.PHONE],
  BOOK: [ObjectClass.BOOK, ObjectClass.PAPER],
  PAPER: [ObjectClass.BOOK, ObjectClass.PAPER],
  LAPTOP: [ObjectClass.LAPTOP, ObjectClass.TABLET, ObjectClass.SCREEN, ObjectClass.OTHER_DEVICE],
  KEYBOARD: [ObjectClass.KEYBOARD, ObjectClass.LAPTOP, ObjectClass.OTHER_DEVICE],
  SCREEN: [ObjectClass.SCREEN, ObjectClass.LAPTOP, ObjectClass.TABLET, ObjectClass.OTHER_DEVICE],
};

/** The name a disagreement records for what was seen: "FACE_ABSENT", "OBJECT_CLASS_PHONE"... */
export const observedName = (sighting: Pick<Sighting, 'kind' | 'objectKind'>) =>
  sighting.kind === 'OBJECT' ? objectClassName(sighting.objectKind ?? 'PHONE') : sighting.kind;

/** The browser event kinds the verifier reads back from the store. */
export const BROWSER_KINDS: readonly EventKind[] = [...Object.values(REPORTED_AS), 'detectorStatus'];

interface Stretch {
  fromMs: number;
  toMs: number;
}

/** A browser episode's stretch: START to END (or still open), or the instant itself. */
function browserStretches(events: readonly EventEnvelope[], sighting: Sighting): Stretch[] {
  const wanted = REPORTED_AS[sighting.kind];
  const byEpisode = new Map<string, Stretch>();
  for (const event of events) {
    if (event.source !== Source.BROWSER || event.payload.case !== wanted) continue;
    const value = event.payload.value as { episodeId?: string; objectClass?: ObjectClass };
    if (sighting.kind === 'OBJECT') {
      const family = OBJECT_FAMILY[sighting.objectKind ?? 'PHONE'];
      if (value.objectClass === undefined || !family.includes(value.objectClass)) continue;
    }
    const at = occurredAtMs(event);
    const id = value.episodeId || event.eventId;
    const stretch = byEpisode.get(id) ?? { fromMs: Number.POSITIVE_INFINITY, toMs: Number.POSITIVE_INFINITY };
    const phase = phaseOf(event);
    if (phase === Phase.START || phase === Phase.INSTANT) stretch.fromMs = Math.min(stretch.fromMs, at);
    if (phase === Phase.END || phase === Phase.INSTANT) {
      stretch.toMs = at;
      // An END whose START is lost still says the condition held until then.
      if (!Number.isFinite(stretch.fromMs)) stretch.fromMs = at;
    }
    byEpisode.set(id, stretch);
  }
  return [...byEpisode.values()];
}

/**
 * True when the browser reported the sighting: one of its episodes of the same kind overlaps the stretch the
 * verifier saw, allowing `toleranceMs` for clocks and for the verifier's sparser samples.
 */
export function browserReported(
  sighting: Sighting,
  events: readonly EventEnvelope[],
  toleranceMs: number,
): boolean {
  return browserStretches(events, sighting).some(
    (b) => b.fromMs <= sighting.toMs + toleranceMs && b.toMs >= sighting.fromMs - toleranceMs,
  );
}

/** True when this verifier (or a previous run of it) already recorded a disagreement overlapping the sighting. */
export function alreadyDisagreed(sighting: Sighting, events: readonly EventEnvelope[]): boolean {
  const observed = observedName(sighting);
  return events.some(
    (event) =>
      event.source === Source.VERIFIER &&
      event.payload.case === 'disagreement' &&
      event.payload.value.kind === DisagreementKind.UNREPORTED_EVENT &&
      event.payload.value.observed === observed &&
      Number(event.payload.value.fromMs) <= sighting.toMs &&
      Number(event.payload.value.toMs) >= sighting.fromMs,
  );
}

/**
 * The time of the browser's latest sign that its detector runs (a report, or a status with frames analysed),
 * or null. A status saying no frame was analysed is not one: the page is up but the detector is not.
 */
export function lastBrowserEventMs(events: readonly EventEnvelope[]): number | null {
  let last: number | null = null;
  for (const event of events) {
    if (event.source !== Source.BROWSER) continue;
    if (event.payload.case === 'detectorStatus' && event.payload.value.framesAnalysed === 0) continue;
    last = Math.max(last ?? 0, occurredAtMs(event));
  }
  return last;
}

/** A verifier START or END as the stretch it covers so far (`nowMs` for one still open). */
export function sightingOf(start: DetectionEvent, nowMs: number, end?: DetectionEvent): Sighting {
  return { kind: start.kind, objectKind: start.objectKind, fromMs: start.atMs, toMs: end?.atMs ?? nowMs };
}
