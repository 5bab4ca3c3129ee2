import manifest from '../package.json' with { type: 'json' };
import { DEFAULT_RULES } from './config.ts';
import measured from './measured.json' with { type: 'json' };
import { OBJECT_MODEL } from './objects.ts';
import type { DetectionEvent } from './rules.ts';

/** FNV-1a: a short, browser-safe fingerprint of the thresholds. */
const fingerprint = (text: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
};

/** The models and thresholds that make a flag: a measured precision is valid for this version only. */
export const DETECTOR_VERSION = `human-${manifest.dependencies['@vladmandic/human']}+${OBJECT_MODEL.name}+rules-${fingerprint(JSON.stringify(DEFAULT_RULES))}`;

/**
 * How often each kind of flag is right, as the detector's evaluation measured it on the half of its labelled
 * set that chose nothing (`pnpm --filter @proctor/detector eval --write-measured` rewrites measured.json).
 * It travels with every flag, so a report can say how far such a flag can be trusted.
 */
export interface MeasuredPrecision {
  /** The models and thresholds measured; a flag from another version carries no figure. */
  modelVersion: string;
  measuredAt: string;
  /** By evaluation category: precision (0..1) and the number of flags it rests on. */
  byCategory: Record<string, { precision: number | null; flags: number }>;
}

export const MEASURED: MeasuredPrecision = measured;

/** The evaluation category a detection event belongs to (the same names as eval/judge.ts). */
export function categoryOf(event: Pick<DetectionEvent, 'kind' | 'objectKind'>): string {
  switch (event.kind) {
    case 'FACE_ABSENT':
      return 'no face';
    case 'MULTIPLE_FACES':
      return 'several faces';
    case 'LOOKING_AWAY':
      return 'looking away';
    case 'EYES_CLOSED':
      return 'eyes closed';
    case 'OBJECT':
      return event.objectKind === 'PHONE'
        ? 'phone'
        : event.objectKind === 'BOOK' || event.objectKind === 'PAPER'
          ? 'book/paper'
          : 'device';
  }
}

/** The measured precision of this kind of flag, when there is one (0 otherwise, as the wire says "unmeasured"). */
export const measuredPrecisionOf = (event: Pick<DetectionEvent, 'kind' | 'objectKind'>) =>
  MEASURED.modelVersion === DETECTOR_VERSION ? (MEASURED.byCategory[categoryOf(event)]?.precision ?? 0) : 0;
