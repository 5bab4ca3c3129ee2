import { describe, expect, it } from 'vitest';
import { ownerOf } from './rooms.ts';

describe('which verifier instance owns a room', () => {
  const rooms = Array.from(
    { length: 3000 },
    (_, i) => `interview-${i.toString(36)}-${(i * 7919).toString(16)}`,
  );

  it('is stable: the same room always goes to the same instance', () => {
    for (const room of rooms.slice(0, 50)) expect(ownerOf(room, 4)).toBe(ownerOf(room, 4));
    expect(ownerOf('interview-a', 1)).toBe(0);
  });

  it('spreads rooms evenly over the instances', () => {
    const counts = [0, 0, 0, 0];
    for (const room of rooms) counts[ownerOf(room, 4)] = (counts[ownerOf(room, 4)] ?? 0) + 1;
    for (const count of counts) expect(Math.abs(count - 750)).toBeLessThan(120);
  });
});
