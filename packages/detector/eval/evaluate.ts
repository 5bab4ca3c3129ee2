import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Box, DEFAULT_RULES, type FaceObservation, type FrameObservation } from '@proctor/detector';
import { ASSETS, createDetectorPool, type Detection } from '@proctor/detector/node';
import { ensureSources, loadMedia, type Source, sourceKey } from './sources.ts';

/**
 * Measures the detector on real photos and video frames that ship inside npm, PyPI and Debian packages
 * (labels.json, labelled by hand). Each frame's observation is turned into per-category yes/no answers with the
 * thresholds of DEFAULT_RULES, as the rules would see a single frame, and compared with the labels.
 * A measurement, not a test: it exits 0 whatever the figures, and non-zero only when an item cannot be loaded.
 *
 * Usage: pnpm --filter @proctor/detector eval   (media are cached in ~/.cache/proctor-eval, or $PROCTOR_EVAL_CACHE)
 */

interface Labels {
  faces: number;
  /** null: no face, or a person could not tell (e.g. several faces of similar size that disagree). */
  lookingAway: boolean | null;
  eyesClosed: boolean | null;
  phone: boolean;
  book: boolean;
  device: boolean;
}

interface Item {
  id: string;
  source: Source;
  licence: string;
  labels: Labels;
  notes: string;
}

type Prediction = Omit<Labels, 'lookingAway' | 'eyesClosed'> & {
  /** null when no face was found: the pose and eye rules cannot fire then. */
  lookingAway: boolean | null;
  eyesClosed: boolean | null;
};

const rules = DEFAULT_RULES;
// The COCO labels that the rules turn into OBJECT events (rules.ts OBJECT_KINDS). "device" is what the rules
// flag as LAPTOP, KEYBOARD or SCREEN; mouse and remote are not flagged by the rules, so they are not counted.
const PHONE_LABELS = new Set(['cell phone']);
const BOOK_LABELS = new Set(['book']);
const DEVICE_LABELS = new Set(['laptop', 'keyboard', 'tv']);
// As in the rules: faces inside a detected screen (a video call, a photo on a monitor) are not people present.
const SCREEN_LABELS = new Set(['tv', 'laptop']);

const inside = (inner: Box, outer: Box) => {
  const cx = inner.x + inner.width / 2;
  const cy = inner.y + inner.height / 2;
  return cx >= outer.x && cx <= outer.x + outer.width && cy >= outer.y && cy <= outer.y + outer.height;
};

/** The faces the rules count, the main (largest) one, and the confident objects, from one frame. */
function countable(observation: FrameObservation) {
  const objects = (observation.objects ?? []).filter((o) => o.confidence >= rules.minObjectConfidence);
  const screens = objects.filter((o) => SCREEN_LABELS.has(o.label)).map((o) => o.box);
  const faces = observation.faces.filter(
    (f) => f.confidence >= rules.minFaceConfidence && !screens.some((s) => inside(f.box, s)),
  );
  const main = [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
  return { faces, main, objects };
}

/** Uncalibrated (neutral pose = camera axis): the worst case, as before calibration or with a side camera. */
const gazeOf = (f: FaceObservation) => Math.max(Math.abs(f.gazeX ?? 0), Math.abs(f.gazeY ?? 0));

function predict(observation: FrameObservation): Prediction {
  const { faces, main, objects } = countable(observation);
  const seen = (labels: Set<string>) => objects.some((o) => labels.has(o.label));
  return {
    faces: faces.length,
    lookingAway: main
      ? Math.abs(main.yawDeg) > rules.maxYawDeg ||
        Math.abs(main.pitchDeg) > rules.maxPitchDeg ||
        gazeOf(main) > rules.maxGaze
      : null,
    eyesClosed: main
      ? main.eyeAspectRatio !== undefined && main.eyeAspectRatio < rules.closedEyeAspectRatio
      : null,
    phone: seen(PHONE_LABELS),
    book: seen(BOOK_LABELS),
    device: seen(DEVICE_LABELS),
  };
}

// --- scoring ---------------------------------------------------------------------------------------------

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Items without a label for this category (null). */
  skipped: number;
  /** Labelled items where no face was found, so the rule could not fire (scored as "no"). */
  noFace: number;
}

/** Each category as an alarm: "positive" is what a proctor would want flagged. */
const CATEGORIES: Array<{
  name: string;
  rule: string;
  truth: (l: Labels) => boolean | null;
  guess: (p: Prediction) => boolean | null;
}> = [
  { name: 'no face', rule: 'FACE_ABSENT', truth: (l) => l.faces === 0, guess: (p) => p.faces === 0 },
  { name: 'several faces', rule: 'MULTIPLE_FACES', truth: (l) => l.faces >= 2, guess: (p) => p.faces >= 2 },
  { name: 'looking away', rule: 'LOOKING_AWAY', truth: (l) => l.lookingAway, guess: (p) => p.lookingAway },
  { name: 'eyes closed', rule: 'EYES_CLOSED', truth: (l) => l.eyesClosed, guess: (p) => p.eyesClosed },
  { name: 'phone', rule: 'OBJECT PHONE', truth: (l) => l.phone, guess: (p) => p.phone },
  { name: 'book/paper', rule: 'OBJECT BOOK', truth: (l) => l.book, guess: (p) => p.book },
  { name: 'device', rule: 'OBJECT LAPTOP/KEYBOARD/SCREEN', truth: (l) => l.device, guess: (p) => p.device },
];

function score(results: Array<{ labels: Labels; predicted: Prediction }>) {
  return CATEGORIES.map((category) => {
    const c: Counts = { tp: 0, fp: 0, fn: 0, tn: 0, skipped: 0, noFace: 0 };
    for (const { labels, predicted } of results) {
      const truth = category.truth(labels);
      if (truth === null) {
        c.skipped++;
        continue;
      }
      const raw = category.guess(predicted);
      if (raw === null) c.noFace++;
      const guess = raw ?? false;
      if (truth && guess) c.tp++;
      else if (!truth && guess) c.fp++;
      else if (truth && !guess) c.fn++;
      else c.tn++;
    }
    const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
    return {
      category: category.name,
      rule: category.rule,
      ...c,
      precision: ratio(c.tp, c.tp + c.fp),
      recall: ratio(c.tp, c.tp + c.fn),
    };
  });
}

const BUCKETS = ['0', '1', '2', '3+'] as const;
const bucket = (n: number) => BUCKETS[Math.min(n, 3)] as (typeof BUCKETS)[number];

// --- report ----------------------------------------------------------------------------------------------

const out = (line = '') => process.stdout.write(`${line}\n`);
const pct = (x: number | null) => (x === null ? '   —' : `${(x * 100).toFixed(0).padStart(3)}%`);
const yn = (b: boolean | null) => (b === null ? 'n/a' : b ? 'yes' : 'no');
const deg = (x: number) => `${Math.round(x)}°`;

/** What the detector saw, in words, for the list of misclassified items. */
function describe(id: string, labels: Labels, predicted: Prediction, observation: FrameObservation): string {
  const { faces, main } = countable(observation);
  const wrong: string[] = [];
  if (bucket(labels.faces) !== bucket(predicted.faces)) {
    const all = observation.faces.map((f) => f.confidence.toFixed(2)).join(', ');
    wrong.push(`faces ${labels.faces} → ${predicted.faces} (face scores: ${all || 'none'})`);
  }
  const pose = main
    ? `yaw ${deg(main.yawDeg)}, pitch ${deg(main.pitchDeg)}, gaze ${gazeOf(main).toFixed(2)}, EAR ${main.eyeAspectRatio?.toFixed(2) ?? '—'}`
    : 'no face counted';
  for (const key of ['lookingAway', 'eyesClosed'] as const)
    if (labels[key] !== null && labels[key] !== (predicted[key] ?? false))
      wrong.push(`${key} ${yn(labels[key])} → ${yn(predicted[key])} (${pose})`);
  const objects =
    (observation.objects ?? [])
      .slice()
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, 5)
      .map((o) => `${o.label} ${o.confidence.toFixed(2)}`)
      .join(', ') || 'no objects';
  for (const key of ['phone', 'book', 'device'] as const)
    if (labels[key] !== predicted[key]) wrong.push(`${key} ${yn(labels[key])} → ${yn(predicted[key])}`);
  if (wrong.length === 0) return '';
  const seenObjects = wrong.some((w) => /^(phone|book|device)/.test(w))
    ? `\n      objects seen: ${objects}`
    : '';
  return `  ${id} [${faces.length} face(s)]\n      ${wrong.join('\n      ')}${seenObjects}`;
}

// --- main ------------------------------------------------------------------------------------------------

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const items = (JSON.parse(readFileSync(join(here, 'labels.json'), 'utf8')) as { items: Item[] }).items;

// Fetch per package, so one unavailable package fails its own items and not the whole run.
const failures: Array<{ id: string; error: string }> = [];
const roots = new Map<string, string>();
for (const key of new Set(items.map((i) => sourceKey(i.source)))) {
  const group = items.filter((i) => sourceKey(i.source) === key);
  try {
    for (const [k, root] of ensureSources(group.map((i) => i.source))) roots.set(k, root);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`Cannot load ${key}: ${message}`);
    for (const i of group) failures.push({ id: i.id, error: message });
  }
}

const pool = createDetectorPool();
const results: Array<Item & { predicted: Prediction; detection: Detection }> = [];
const queue = items.filter((i) => roots.has(sourceKey(i.source)));
process.stderr.write(`Running the detector (objects on) on ${queue.length} items, ${pool.size} threads…\n`);
// One frame per thread at a time: the pool's queue is bounded and this is not a throughput test.
await Promise.all(
  Array.from({ length: pool.size }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      try {
        const data = loadMedia(item.source, roots.get(sourceKey(item.source)) as string);
        const detection = await pool.detect({ kind: 'encoded', data }, { timeMs: 0, objects: true });
        results.push({ ...item, predicted: predict(detection.observation), detection });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        console.error(`Cannot load ${item.id}: ${message}`);
        failures.push({ id: item.id, error: message });
      }
    }
  }),
);
await pool.close();
// Report in labels.json order, whatever order the threads finished in.
const order = new Map(items.map((item, index) => [item.id, index]));
results.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));

const metrics = score(results);
const confusion = Object.fromEntries(
  BUCKETS.map((truth) => [
    truth,
    Object.fromEntries(
      BUCKETS.map((guess) => [
        guess,
        results.filter((r) => bucket(r.labels.faces) === truth && bucket(r.predicted.faces) === guess).length,
      ]),
    ),
  ]),
) as Record<string, Record<string, number>>;

out(
  `Detector evaluation: ${results.length} of ${items.length} items, thresholds of DEFAULT_RULES, uncalibrated`,
);
out(
  `(faces ≥ ${rules.minFaceConfidence}; away: |yaw| > ${rules.maxYawDeg}° or |pitch| > ${rules.maxPitchDeg}° or gaze > ${rules.maxGaze}; ` +
    `eyes closed: EAR < ${rules.closedEyeAspectRatio}; objects ≥ ${rules.minObjectConfidence}; device = ${[...DEVICE_LABELS].join('|')})`,
);
out();
out('category        rule                            n   TP  FP  FN  TN  precision  recall  n/a  no-face');
for (const m of metrics) {
  const n = m.tp + m.fp + m.fn + m.tn;
  const cells = [m.tp, m.fp, m.fn, m.tn].map((x) => String(x).padStart(3)).join(' ');
  out(
    `${m.category.padEnd(15)} ${m.rule.padEnd(29)} ${String(n).padStart(3)}  ${cells}       ${pct(m.precision)}    ${pct(m.recall)}  ${String(m.skipped).padStart(3)}  ${String(m.noFace).padStart(7)}`,
  );
}
out();
out('face count (rows: labelled, columns: detected)');
out(`         ${BUCKETS.map((b) => b.padStart(4)).join('')}`);
for (const truth of BUCKETS)
  out(
    `  ${truth.padEnd(5)}  ${BUCKETS.map((guess) => String(confusion[truth]?.[guess] ?? 0).padStart(4)).join('')}`,
  );
const exact = results.filter((r) => bucket(r.labels.faces) === bucket(r.predicted.faces)).length;
out(`  right bucket: ${exact}/${results.length}`);
out();
out('misclassified (label → prediction)');
const wrong = results
  .map((r) => describe(r.id, r.labels, r.predicted, r.detection.observation))
  .filter((line) => line !== '');
out(wrong.length ? wrong.join('\n') : '  none');
if (failures.length) {
  out();
  out('not loaded');
  for (const f of failures) out(`  ${f.id}: ${f.error}`);
}

const humanVersion = (
  JSON.parse(readFileSync(join(ASSETS.modelDir, '..', 'package.json'), 'utf8')) as { version: string }
).version;
const date = new Date().toISOString().slice(0, 10);
const file = join(repoRoot, 'bench', 'results', `detector-eval-${date}.json`);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      detector: { human: humanVersion, models: 'blazeface, facemesh, iris, centernet (tfjs wasm)' },
      thresholds: rules,
      calibration: 'none (camera axis)',
      deviceLabels: [...DEVICE_LABELS],
      metrics,
      faceCountConfusion: confusion,
      items: results.map((r) => ({
        id: r.id,
        source: r.source,
        labels: r.labels,
        predicted: r.predicted,
        faces: r.detection.observation.faces,
        objects: r.detection.observation.objects,
        size: r.detection.size,
        timings: r.detection.timings,
      })),
      failures,
    },
    null,
    2,
  )}\n`,
);
out();
out(`results written to ${relative(process.cwd(), file) || file}`);
process.exitCode = failures.length > 0 ? 1 : 0;
