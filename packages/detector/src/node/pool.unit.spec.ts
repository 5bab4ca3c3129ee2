import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_FILES } from '../models.ts';
import { ASSETS } from './assets.ts';
import { createDetectorPool } from './pool.ts';

// A real photo that ships in the Human package: four people facing the camera.
const fourFaces = readFileSync(join(ASSETS.modelDir, '..', 'assets', 'screenshot-facedetect.jpg'));

describe('detector pool (worker threads, real models)', () => {
  const pool = createDetectorPool({ size: 2, maxQueue: 1 });
  afterAll(() => pool.close());

  it('finds the four faces of a real photo, with boxes, pose and a snapshot as evidence', async () => {
    const detection = await pool.detect({ kind: 'encoded', data: fourFaces }, { timeMs: 42, snapshot: true });
    expect(detection.observation.timeMs).toBe(42);
    expect(detection.observation.faces).toHaveLength(4);
    for (const face of detection.observation.faces) {
      expect(face.confidence).toBeGreaterThan(0.8);
      expect(face.box.width).toBeGreaterThan(20);
      expect(face.eyeAspectRatio).toBeGreaterThan(0.1);
    }
    expect(detection.size.width).toBeLessThanOrEqual(640);
    expect(detection.snapshot?.subarray(0, 2)).toEqual(new Uint8Array([0xff, 0xd8])); // a JPEG
  });

  it('reports a corrupt, empty or mis-sized frame by name and keeps serving', async () => {
    const bad = [
      [{ kind: 'encoded', data: new Uint8Array(0) }, 'EMPTY_FRAME'],
      [{ kind: 'encoded', data: new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x13]) }, 'CORRUPT_FRAME'],
      [
        { kind: 'raw', format: 'yuv420', width: 2, height: 2, data: new Uint8Array(6) },
        'UNSUPPORTED_PIXEL_FORMAT',
      ],
      [{ kind: 'raw', format: 'rgba', width: 4, height: 4, data: new Uint8Array(10) }, 'FRAME_SIZE_MISMATCH'],
      [{ kind: 'raw', format: 'rgb', width: 0, height: 4, data: new Uint8Array(3) }, 'EMPTY_FRAME'],
    ] as const;
    for (const [frame, code] of bad)
      await expect(pool.detect(frame as never, { timeMs: 0 })).rejects.toMatchObject({
        name: 'DetectorError',
        code,
      });
    // Raw RGBA pixels (what a LiveKit frame converts to) are analysed like an encoded image.
    const gray = {
      kind: 'raw' as const,
      format: 'rgba' as const,
      width: 64,
      height: 48,
      data: new Uint8Array(64 * 48 * 4).fill(128),
    };
    expect((await pool.detect(gray, { timeMs: 1, objects: true })).observation).toMatchObject({
      faces: [],
      objects: [],
    });
  });

  it('fails fast with POOL_SATURATED instead of queueing without bound', async () => {
    const frame = { kind: 'encoded' as const, data: fourFaces };
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => pool.detect(frame, { timeMs: i })),
    );
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason.code] : []));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(3); // two threads + one waiting
    expect(rejected).toEqual(['POOL_SATURATED', 'POOL_SATURATED', 'POOL_SATURATED']);
    expect(pool.stats()).toMatchObject({ size: 2, busy: 0, queued: 0 });
  });
});

describe('the object stage in the pool (COCO-SSD with zoomed tiles, real weights)', () => {
  const pool = createDetectorPool({ size: 1 });
  afterAll(() => pool.close());

  it('finds the people and the screen of a real photo only on the frames asked, with boxes inside the frame', async () => {
    const photo = readFileSync(join(ASSETS.modelDir, '..', 'assets', 'screenshot-vrm.jpg'));
    const faceOnly = await pool.detect({ kind: 'encoded', data: photo }, { timeMs: 0 });
    expect(faceOnly.observation.objects).toBeUndefined();
    const checks = await Promise.all(
      [0, 1, 2].map((objectCheck) =>
        pool.detect({ kind: 'encoded', data: photo }, { timeMs: 0, objects: true, objectCheck }),
      ),
    );
    const seen = checks.flatMap((c) => c.observation.objects ?? []).filter((o) => o.confidence >= 0.5);
    expect(new Set(seen.map((o) => o.label))).toEqual(new Set(['person', 'tv']));
    const { width, height } = checks[0]?.size ?? { width: 0, height: 0 };
    for (const { box } of seen) {
      expect(box.x).toBeGreaterThanOrEqual(-1);
      expect(box.x + box.width).toBeLessThanOrEqual(width + 1);
      expect(box.y + box.height).toBeLessThanOrEqual(height + 1);
    }
    expect(checks[0]?.timings.objectMs).toBeGreaterThan(0);
  });
});

describe('detector pool with broken models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'models-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the missing model file', async () => {
    const pool = createDetectorPool({ size: 1, modelDir: dir });
    await expect(pool.detect({ kind: 'encoded', data: fourFaces }, { timeMs: 0 })).rejects.toMatchObject({
      code: 'MODEL_MISSING',
      message: expect.stringContaining('blazeface.json'),
    });
    await pool.close();
  });

  it('names a missing or damaged object model file', async () => {
    const objects = mkdtempSync(join(tmpdir(), 'object-model-'));
    const missing = createDetectorPool({ size: 1, objectModelDir: objects });
    await expect(missing.detect({ kind: 'encoded', data: fourFaces }, { timeMs: 0 })).rejects.toMatchObject({
      code: 'MODEL_MISSING',
      message: expect.stringContaining('bootstrap.sh'),
    });
    await missing.close();
    cpSync(ASSETS.objectModelDir, objects, { recursive: true });
    writeFileSync(join(objects, 'model.json'), '{"weightsManifest": []');
    const damaged = createDetectorPool({ size: 1, objectModelDir: objects });
    await expect(damaged.detect({ kind: 'encoded', data: fourFaces }, { timeMs: 0 })).rejects.toMatchObject({
      code: 'MODEL_UNLOADABLE',
      message: expect.stringContaining('model.json'),
    });
    await damaged.close();
    rmSync(objects, { recursive: true, force: true });
  });

  it('names a damaged model file', async () => {
    for (const model of MODEL_FILES)
      for (const ext of ['json', 'bin'])
        cpSync(join(ASSETS.modelDir, `${model}.${ext}`), join(dir, `${model}.${ext}`));
    writeFileSync(join(dir, 'iris.json'), '{"not":"a model"');
    const pool = createDetectorPool({ size: 1, modelDir: dir });
    await expect(pool.detect({ kind: 'encoded', data: fourFaces }, { timeMs: 0 })).rejects.toMatchObject({
      code: 'MODEL_UNLOADABLE',
      message: expect.stringContaining('iris.json'),
    });
    await pool.close();
    await expect(pool.detect({ kind: 'encoded', data: fourFaces }, { timeMs: 0 })).rejects.toMatchObject({
      code: 'POOL_CLOSED',
    });
  });
});
