import { describe, expect, it } from 'vitest';
import { createCapacityEstimate, nextSampleDelayMs, planSampling } from './sampling.ts';

describe('sampling plan', () => {
  it('samples every room at the configured rate while the pool has room', () => {
    expect(planSampling({ configuredFps: 0.5, rooms: 20, capacityFps: 16 })).toEqual({
      perRoomFps: 0.5,
      reduced: false,
      capacityFps: 16,
    });
  });

  it('lowers every room to the same rate when the rooms together ask for more than the pool gives', () => {
    const plan = planSampling({ configuredFps: 0.5, rooms: 64, capacityFps: 16 });
    expect(plan.reduced).toBe(true);
    expect(plan.perRoomFps).toBeCloseTo((16 * 0.8) / 64);
    expect(plan.perRoomFps * 64).toBeLessThanOrEqual(16); // never more than the pool can serve
  });

  it('varies the gap between samples within the jitter, around the mean', () => {
    const gaps = Array.from({ length: 2000 }, () => nextSampleDelayMs(0.5, 0.5));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(3000);
    expect(new Set(gaps.map((g) => Math.round(g / 100))).size).toBeGreaterThan(10); // not predictable
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(1900);
    expect(mean).toBeLessThan(2100);
    expect(nextSampleDelayMs(2, 0)).toBe(500);
  });

  it('estimates the pool capacity from how long frames take', () => {
    const capacity = createCapacityEstimate(2, 100);
    expect(capacity.fps()).toBe(20);
    for (let i = 0; i < 100; i++) capacity.observe(250);
    expect(capacity.fps()).toBeCloseTo(8, 0);
  });
});
