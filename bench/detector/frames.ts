import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSETS, createDetectorPool, type Detection } from '@proctor/detector/node';
import sharp, { type Sharp } from 'sharp';

/** A real photo that ships in the Human package: four people facing the camera. */
export const FOUR_FACES = join(ASSETS.modelDir, '..', 'assets', 'screenshot-facedetect.jpg');

export interface BenchFrame {
  name: string;
  jpeg: Uint8Array;
  rgba: Uint8Array;
  width: number;
  height: number;
}

async function toFrame(name: string, image: Sharp): Promise<BenchFrame> {
  const fitted = image.resize(640, 480, { fit: 'contain', background: '#202020' });
  const jpeg = await fitted.clone().jpeg({ quality: 90 }).toBuffer();
  const rgba = await fitted.clone().ensureAlpha().raw().toBuffer();
  return { name, jpeg: new Uint8Array(jpeg), rgba: new Uint8Array(rgba), width: 640, height: 480 };
}

/**
 * 640×480 frames from real footage: one person (a face cropped from the photo, as a webcam frames a
 * candidate) and the whole four-person photo.
 */
export async function benchFrames(): Promise<{ oneFace: BenchFrame; fourFaces: BenchFrame }> {
  const photo = readFileSync(FOUR_FACES);
  const pool = createDetectorPool({ size: 1 });
  const { observation, size } = await pool.detect({ kind: 'encoded', data: photo }, { timeMs: 0 });
  await pool.close();
  const meta = await sharp(photo).metadata();
  const scale = (meta.width ?? size.width) / size.width;
  const face = observation.faces[0];
  if (!face) throw new Error(`no face found in ${FOUR_FACES}`);
  // A webcam framing: the face about two thirds of the frame's width, 4:3.
  const w = Math.min(meta.width ?? 0, Math.round(face.box.width * scale * 1.6));
  const h = Math.min(meta.height ?? 0, Math.round((w * 3) / 4));
  const left = Math.max(
    0,
    Math.min((meta.width ?? 0) - w, Math.round((face.box.x + face.box.width / 2) * scale - w / 2)),
  );
  const top = Math.max(
    0,
    Math.min((meta.height ?? 0) - h, Math.round((face.box.y + face.box.height / 2) * scale - h / 2)),
  );
  return {
    oneFace: await toFrame('one face', sharp(photo).extract({ left, top, width: w, height: h })),
    fourFaces: await toFrame('four faces', sharp(photo)),
  };
}

/**
 * Keeps every thread of a fresh pool busy with `frames` raw 640×480 frames (after a warm-up in which each
 * thread loads its models): the detections and the frames per second over the whole run.
 */
export async function runPool(frame: BenchFrame, threads: number, objects: boolean, frames: number) {
  const pool = createDetectorPool({ size: threads, maxQueue: threads * 2 });
  const input = {
    kind: 'raw' as const,
    format: 'rgba' as const,
    width: frame.width,
    height: frame.height,
    data: frame.rgba,
  };
  await Promise.all(
    Array.from({ length: threads * 2 }, () => pool.detect(input, { timeMs: 0, objects: true })),
  );
  const detections: Detection[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: threads }, async () => {
      while (next++ < frames) detections.push(await pool.detect(input, { timeMs: next, objects }));
    }),
  );
  const fps = detections.length / ((performance.now() - started) / 1000);
  await pool.close();
  return { detections, fps };
}
