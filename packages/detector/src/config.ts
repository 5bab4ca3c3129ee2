import type { ObjectKind } from './rules.ts';

/** Every threshold of the rules in one place; defaults from the requirements. */
export interface RulesConfig {
  /** No face for longer than this is an absence (requirement: 10 s). */
  faceAbsentMs: number;
  /** Looking away for longer than this is a loss of focus (requirement: 5 s). */
  lookingAwayMs: number;
  /** Several faces for at least this long. */
  multipleFacesMs: number;
  /** Eyes closed for longer than this is drowsiness. */
  eyesClosedMs: number;
  /** Head turned further than this from the calibrated neutral pose counts as looking away. */
  maxYawDeg: number;
  maxPitchDeg: number;
  /** Iris offset from the calibrated centre (−1..1) beyond which the gaze is off the screen. */
  maxGaze: number;
  /** Eye aspect ratio below which an eye is closed. */
  closedEyeAspectRatio: number;
  /** Faces the detector is less sure of are ignored. */
  minFaceConfidence: number;
  /** Per kind, the confidence an object check must reach to count as a sighting (chosen on the tuning split). */
  objectConfidence: Record<ObjectKind, number>;
  /** An item flagged is one seen in at least `objectChecks` of the last `objectWindow` object checks. */
  objectChecks: number;
  objectWindow: number;
  /** An item's event ends after this many object checks in a row without it. */
  objectClearChecks: number;
  /** A person this sure with no face counted has turned away or hidden the face: looking away (and, past 10 s, no face). */
  personConfidence: number;
  /** Calibrated: eyes are closed below this share of the candidate's own open-eye aspect ratio. */
  closedEyeRelative: number;
  /** A condition must be gone this long before its event ends, so a flicker does not end it. */
  endHysteresisMs: number;
  /** A gap this short does not reset a condition that is building up, so a flicker does not restart it. */
  startToleranceMs: number;
}

export const DEFAULT_RULES: RulesConfig = {
  faceAbsentMs: 10_000,
  lookingAwayMs: 5_000,
  multipleFacesMs: 1_000,
  eyesClosedMs: 2_000,
  // Pose, gaze, person and book thresholds: chosen on the evaluation's tuning half (`eval --tune`, eval/README.md);
  // the others stay where the requirements or the models put them (too few positive scenes to move them).
  maxYawDeg: 15,
  maxPitchDeg: 20,
  maxGaze: 0.3,
  // The low end of the tuning half's plateau (0.13–0.20 all catch 9 of 9): lids lowered over a desk or squeezed
  // by a laugh read 0.15–0.20 and are not sleep.
  closedEyeAspectRatio: 0.15,
  minFaceConfidence: 0.5,
  objectConfidence: { PHONE: 0.5, BOOK: 0.3, PAPER: 0.3, LAPTOP: 0.5, KEYBOARD: 0.5, SCREEN: 0.5 },
  objectChecks: 2,
  objectWindow: 6,
  objectClearChecks: 6,
  personConfidence: 0.95,
  closedEyeRelative: 0.6,
  endHysteresisMs: 1_000,
  startToleranceMs: 400,
};
