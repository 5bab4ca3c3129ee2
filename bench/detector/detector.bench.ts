/**
 * bench/detector: frames per second and per-stage latency (p50/p95) of the detection models at 640×480,
 * in Node (the verifier's worker-thread pool) and in headless Chromium (what the candidate's browser runs).
 *
 *   pnpm --filter @proctor/bench detector [--frames 60] [--seconds 15]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { machine, percentile } from '../machine.ts';
import { type BenchFrame, benchFrames, runPool } from './frames.ts';
import { benchInChromium } from './in-chromium.ts';

const { values: args } = parseArgs({
  options: { frames: { type: 'string', default: '60' }, seconds: { type: 'string', default: '15' } },
});
const FRAMES = Number(args.frames);
const SECONDS = Number(args.seconds);
const log = (message: string) => console.error(`[bench] ${message}`);

const stats = (values: number[]) => ({
  p50: Math.round(percentile(values, 50)),
  p95: Math.round(percentile(values, 95)),
});

/** Node worker threads: fps over the whole run, latency per stage. */
async function nodeRun(frame: BenchFrame, threads: number, objects: boolean) {
  const { detections: results, fps } = await runPool(frame, threads, objects, FRAMES);
  return {
    where: 'node',
    frame: frame.name,
    threads,
    objects,
    fps: Number(fps.toFixed(1)),
    fpsPerThread: Number((fps / threads).toFixed(1)),
    decodeMs: stats(results.map((r) => r.timings.decodeMs)),
    faceMs: stats(results.map((r) => r.timings.faceMs)),
    objectMs: objects ? stats(results.map((r) => r.timings.objectMs)) : null,
    totalMs: stats(results.map((r) => r.timings.totalMs)),
    facesSeen: results[0]?.observation.faces.length ?? 0,
  };
}

const frames = await benchFrames();
const cores = availableParallelism();
const rows: Record<string, unknown>[] = [];
for (const frame of [frames.oneFace, frames.fourFaces])
  for (const threads of [...new Set([1, cores])])
    for (const objects of [false, true]) {
      log(`node: ${frame.name}, ${threads} thread(s), ${objects ? 'face + objects' : 'face'}`);
      rows.push(await nodeRun(frame, threads, objects));
    }
for (const frame of [frames.oneFace, frames.fourFaces]) {
  log(`chromium: ${frame.name}`);
  rows.push(...(await benchInChromium(frame, SECONDS)));
}

const result = { bench: 'detector', at: new Date().toISOString(), machine: machine(), frames: FRAMES, rows };
console.log(JSON.stringify(result.machine));
console.table(
  rows.map((r) => ({
    where: r.where,
    frame: r.frame,
    threads: r.threads,
    pipeline: r.objects ? 'face+objects' : 'face',
    fps: r.fps,
    'fps/thread': r.fpsPerThread,
    'face p50/p95 ms': r.faceMs
      ? `${(r.faceMs as { p50: number }).p50}/${(r.faceMs as { p95: number }).p95}`
      : '',
    'objects p50/p95 ms': r.objectMs
      ? `${(r.objectMs as { p50: number }).p50}/${(r.objectMs as { p95: number }).p95}`
      : '',
    'total p50/p95 ms': `${(r.totalMs as { p50: number }).p50}/${(r.totalMs as { p95: number }).p95}`,
    'object checks/s': r.objectChecksPerSecond ?? '',
    'main thread longest task ms': r.mainThreadLongestTaskMs ?? '',
    faces: r.facesSeen,
  })),
);
const dir = new URL('../results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}detector-${Date.now()}.json`, JSON.stringify(result, null, 2));
