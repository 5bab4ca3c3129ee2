import { describe, expect, it } from 'vitest';
import { suppress, TILES, tilesFor } from './objects.ts';

const box = (x: number, y: number, width = 100, height = 100) => ({ x, y, width, height });

describe('the object stage', () => {
  it('keeps one box per thing: the most confident label wins where views disagree, people are kept apart', () => {
    const kept = suppress([
      { label: 'laptop', confidence: 0.59, box: box(12, 10) },
      { label: 'cell phone', confidence: 0.96, box: box(10, 10) },
      { label: 'cell phone', confidence: 0.4, box: box(14, 12) },
      { label: 'person', confidence: 0.9, box: box(10, 10) },
      { label: 'book', confidence: 0.5, box: box(400, 300) },
    ]);
    expect(kept.map((o) => `${o.label} ${o.confidence}`)).toEqual([
      'cell phone 0.96',
      'person 0.9',
      'book 0.5',
    ]);
  });

  it('looks at every zoomed tile within a few checks, a different pair each time', () => {
    const seen = new Set([0, 1, 2].flatMap((check) => tilesFor(check, 2)));
    expect(seen.size).toBe(TILES.length);
    expect(tilesFor(0, 2)).not.toEqual(tilesFor(1, 2));
    expect(tilesFor(5, 0)).toEqual([]);
    for (const t of TILES) {
      expect(t.x + t.width).toBeLessThanOrEqual(1);
      expect(t.y + t.height).toBeLessThanOrEqual(1);
    }
  });
});
