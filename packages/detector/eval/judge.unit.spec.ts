import { DEFAULT_RULES } from '@proctor/detector';
import { describe, expect, it } from 'vitest';
import { judgeStill, splitOf, wilson } from './judge.ts';

const face = { box: { x: 200, y: 120, width: 220, height: 260 }, confidence: 0.95, yawDeg: 0, pitchDeg: 0 };
const phone = { label: 'cell phone', confidence: 0.8, box: { x: 10, y: 300, width: 60, height: 110 } };

describe('how the evaluation judges an item', () => {
  it('puts an item in the same half whatever else is in the set, and splits a set about in two', () => {
    expect(splitOf('opencv-yolo-phone')).toBe(splitOf('opencv-yolo-phone'));
    const ids = Array.from({ length: 400 }, (_, i) => `item-${i}`);
    const tune = ids.filter((id) => splitOf(id) === 'tune').length;
    expect(tune).toBeGreaterThan(160);
    expect(tune).toBeLessThan(240);
  });

  it('gives a 95 % interval that is wide on few items and narrow on many', () => {
    const [lowFew, highFew] = wilson(4, 5) ?? [0, 0];
    const [lowMany, highMany] = wilson(800, 1000) ?? [0, 0];
    expect(lowFew).toBeCloseTo(0.376, 2);
    expect(highFew).toBeCloseTo(0.964, 2);
    expect(highMany - lowMany).toBeLessThan(0.06);
    expect(wilson(0, 0)).toBeNull();
  });

  it('flags an item seen in enough checks of a held still, and not one seen in a single check', () => {
    const twice = judgeStill({ faces: [face], checks: [[phone], [], [phone]] }, DEFAULT_RULES);
    expect(twice).toMatchObject({ faces: 1, phone: true, book: false, lookingAway: false });
    const once = judgeStill({ faces: [face], checks: [[phone], [], []] }, DEFAULT_RULES);
    // One check in three, cycling for 12 s: seen in 2 of any 6 consecutive checks, so the episode rule fires.
    expect(once.phone).toBe(true);
    const never = judgeStill({ faces: [face], checks: [[{ ...phone, confidence: 0.2 }]] }, DEFAULT_RULES);
    expect(never.phone).toBe(false);
  });

  it('says no face when no face is seen, and looking away too when a person shows no face', () => {
    expect(judgeStill({ faces: [], checks: [[]] }, DEFAULT_RULES)).toMatchObject({
      faces: 0,
      lookingAway: null,
    });
    const person = { label: 'person', confidence: 0.97, box: { x: 100, y: 50, width: 300, height: 400 } };
    expect(judgeStill({ faces: [], checks: [[person]] }, DEFAULT_RULES)).toMatchObject({
      faces: 0,
      lookingAway: true,
    });
  });
});
