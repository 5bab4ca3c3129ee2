import { createHash } from 'node:crypto';
import {
  createRules,
  type FrameObservation,
  frameConditions,
  NO_CALIBRATION,
  type ObjectObservation,
  objectContext,
  type RulesConfig,
} from '@proctor/detector';

/**
 * How the evaluation judges an item: a still is held in front of the camera for `HOLD_MS` (as the fake camera
 * of the e2e tests does), the face pipeline at 10 fps and an object check every 500 ms rotating through the
 * zoomed tiles, all through the real temporal rules. A category is predicted when the rules raise its event.
 * Pure: the model outputs are computed once, then any configuration can be judged in milliseconds.
 */

export interface Labels {
  faces: number;
  /** null: no face, or a person could not tell (e.g. several faces of similar size that disagree). */
  lookingAway: boolean | null;
  eyesClosed: boolean | null;
  phone: boolean;
  book: boolean;
  device: boolean;
}

export type Prediction = Omit<Labels, 'lookingAway' | 'eyesClosed'> & {
  /** null when no face was found: the pose and eye rules cannot fire then (unless a person is turned away). */
  lookingAway: boolean | null;
  eyesClosed: boolean | null;
};

/** What the models said about one still: its faces, and the objects of each check of the tile rotation. */
export interface StillObservation {
  faces: FrameObservation['faces'];
  checks: ObjectObservation[][];
}

/** Long enough for the slowest rule (no face > 10 s) to fire. */
export const HOLD_MS = 12_000;
const FRAME_MS = 100;
const OBJECT_EVERY_MS = 500;

/**
 * Tuning or test half, by a hash of the item's id (or of its group: frames of one clip, a series of one desk,
 * so near-copies never sit on both sides): stable, and independent of the order or the labels.
 */
export const splitOf = (id: string, group?: string): 'tune' | 'test' =>
  (createHash('sha256')
    .update(group ?? id)
    .digest()[0] ?? 0) %
    2 ===
  0
    ? 'tune'
    : 'test';

/** Runs the rules over the held still and says what a proctor would have been told. */
export function judgeStill(still: StillObservation, config: RulesConfig): Prediction {
  const rules = createRules({ config });
  const raised = new Set<string>();
  let check = 0;
  for (let t = 0; t <= HOLD_MS; t += FRAME_MS) {
    const frame: FrameObservation = { timeMs: t, faces: still.faces };
    if (t % OBJECT_EVERY_MS === 0 && still.checks.length)
      frame.objects = still.checks[check++ % still.checks.length];
    for (const event of rules.push(frame))
      if (event.phase === 'START') raised.add(event.objectKind ?? event.kind);
  }
  // The face count and the pose as the rules judge them, with what the object checks saw around the face.
  const context = objectContext(still.checks.flat(), config);
  const conditions = frameConditions({ timeMs: 0, faces: still.faces }, config, NO_CALIBRATION, context);
  const faceSeen = !!conditions.main || conditions.personWithoutFace;
  return {
    faces: conditions.faces.length,
    lookingAway: faceSeen ? raised.has('LOOKING_AWAY') : null,
    eyesClosed: conditions.main ? raised.has('EYES_CLOSED') : null,
    phone: raised.has('PHONE'),
    book: raised.has('BOOK') || raised.has('PAPER'),
    device: raised.has('LAPTOP') || raised.has('KEYBOARD') || raised.has('SCREEN'),
  };
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Items without a label for this category (null). */
  skipped: number;
  /** Labelled items where no face was found, so the rule could not fire (scored as "no"). */
  noFace: number;
}

/** Each category as an alarm: "positive" is what a proctor would want flagged. */
export const CATEGORIES: Array<{
  name: string;
  rule: string;
  truth: (l: Labels) => boolean | null;
  guess: (p: Prediction) => boolean | null;
}> = [
  {
    name: 'no face',
    rule: 'FACE_ABSENT',
    truth: (l) => l.faces === 0,
    guess: (p) => p.faces === 0,
  },
  { name: 'several faces', rule: 'MULTIPLE_FACES', truth: (l) => l.faces >= 2, guess: (p) => p.faces >= 2 },
  { name: 'looking away', rule: 'LOOKING_AWAY', truth: (l) => l.lookingAway, guess: (p) => p.lookingAway },
  { name: 'eyes closed', rule: 'EYES_CLOSED', truth: (l) => l.eyesClosed, guess: (p) => p.eyesClosed },
  { name: 'phone', rule: 'OBJECT PHONE', truth: (l) => l.phone, guess: (p) => p.phone },
  { name: 'book/paper', rule: 'OBJECT BOOK/PAPER', truth: (l) => l.book, guess: (p) => p.book },
  { name: 'device', rule: 'OBJECT LAPTOP/KEYBOARD/SCREEN', truth: (l) => l.device, guess: (p) => p.device },
];

/** Wilson score interval (95 %) for k successes out of n: honest on small samples, unlike ±1.96·√(p(1−p)/n). */
export function wilson(k: number, n: number): [number, number] | null {
  if (n === 0) return null;
  const z = 1.96;
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** `weight` lets the tuning count a scene once however many frames of it there are (1 / frames in its group). */
export function score(results: Array<{ labels: Labels; predicted: Prediction; weight?: number }>) {
  return CATEGORIES.map((category) => {
    const c: Counts = { tp: 0, fp: 0, fn: 0, tn: 0, skipped: 0, noFace: 0 };
    for (const { labels, predicted, weight = 1 } of results) {
      const truth = category.truth(labels);
      if (truth === null) {
        c.skipped += weight;
        continue;
      }
      const raw = category.guess(predicted);
      if (raw === null) c.noFace += weight;
      const guess = raw ?? false;
      if (truth && guess) c.tp += weight;
      else if (!truth && guess) c.fp += weight;
      else if (truth && !guess) c.fn += weight;
      else c.tn += weight;
    }
    const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
    const int = (x: number) => Math.round(x);
    return {
      category: category.name,
      rule: category.rule,
      ...c,
      precision: ratio(c.tp, c.tp + c.fp),
      precisionInterval: wilson(int(c.tp), int(c.tp + c.fp)),
      recall: ratio(c.tp, c.tp + c.fn),
      recallInterval: wilson(int(c.tp), int(c.tp + c.fn)),
    };
  });
}

export type Metrics = ReturnType<typeof score>;

export const BUCKETS = ['0', '1', '2', '3+'] as const;
export const bucket = (n: number) => BUCKETS[Math.min(n, 3)] as (typeof BUCKETS)[number];
