import type { Flag, FlagKind } from './session.ts';

/**
 * The integrity policy: points deducted per flag, by kind. Versioned: a report records the version it was
 * scored with, and a new weighting is a new version, never an edit of an old one.
 */
export interface IntegrityPolicy {
  version: string;
  deductions: Record<FlagKind, number>;
}

// Seed example from the requirements: 3 focus losses, 1 absence, 1 phone → 100 − (3×1 + 2 + 3) = 92.
export const INTEGRITY_POLICY_V1: IntegrityPolicy = {
  version: 'integrity-v1',
  deductions: {
    FOCUS_LOST: 1,
    FACE_ABSENT: 2,
    MULTIPLE_FACES: 5,
    EYES_CLOSED: 1,
    PHONE: 3,
    BOOK_OR_NOTES: 3,
    EXTRA_DEVICE: 3,
    VOICE: 1,
    NOISE: 0,
    TAB_HIDDEN: 1,
    WINDOW_BLURRED: 0,
    FULLSCREEN_EXITED: 1,
    CLIPBOARD_PASTED: 2,
    NETWORK_LOST: 0,
    DISAGREEMENT: 5,
  },
};

export interface Deduction {
  kind: FlagKind;
  count: number;
  pointsEach: number;
  points: number;
}

export interface IntegrityScore {
  score: number;
  policyVersion: string;
  deductions: Deduction[];
}

/** 100 − deductions, clamped to 0–100. Dismissed flags deduct nothing; each deduction says why. */
export function scoreIntegrity(
  flags: readonly Flag[],
  policy: IntegrityPolicy = INTEGRITY_POLICY_V1,
): IntegrityScore {
  const counts = new Map<FlagKind, number>();
  for (const flag of flags) {
    if (flag.review?.decision === 'DISMISSED') continue;
    counts.set(flag.kind, (counts.get(flag.kind) ?? 0) + 1);
  }
  const deductions = [...counts]
    .map(([kind, count]) => ({
      kind,
      count,
      pointsEach: policy.deductions[kind],
      points: count * policy.deductions[kind],
    }))
    .filter((d) => d.points > 0)
    .sort((a, b) => b.points - a.points || a.kind.localeCompare(b.kind));
  const total = deductions.reduce((sum, d) => sum + d.points, 0);
  return { score: Math.max(0, Math.min(100, 100 - total)), policyVersion: policy.version, deductions };
}

/** Reads weights from configuration (JSON), falling back to v1 for any kind not given. */
export function policyFrom(version: string, overrides: Partial<Record<FlagKind, number>>): IntegrityPolicy {
  for (const [kind, points] of Object.entries(overrides)) {
    if (!(kind in INTEGRITY_POLICY_V1.deductions)) throw new Error(`unknown flag kind in policy: ${kind}`);
    if (typeof points !== 'number' || points < 0 || !Number.isFinite(points))
      throw new Error(`deduction for ${kind} must be a number ≥ 0`);
  }
  return { version, deductions: { ...INTEGRITY_POLICY_V1.deductions, ...overrides } };
}
