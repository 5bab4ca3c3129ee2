import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_RULES,
  DETECTOR_VERSION,
  type FaceObservation,
  type FrameObservation,
  frameConditions,
  NO_CALIBRATION,
  objectContext,
  type RulesConfig,
} from '@proctor/detector';
import { ASSETS, createDetectorPool, type Detection } from '@proctor/detector/node';
import { DEFAULT_TILES_PER_CHECK, OBJECT_MODEL, TILES } from '../src/objects.ts';
import {
  BUCKETS,
  bucket,
  HOLD_MS,
  judgeStill,
  type Labels,
  type Metrics,
  type Prediction,
  type StillObservation,
  score,
  splitOf,
} from './judge.ts';
import { ensureSources, loadMedia, type Source, sourceKey } from './sources.ts';

/**
 * Measures the detector on real photos and video frames that ship inside npm, PyPI and Debian packages
 * (labels.json, labelled by hand). Each frame's observation is turned into per-category yes/no answers with the
 * thresholds of DEFAULT_RULES, as the rules would see a single frame, and compared with the labels.
 * A measurement, not a test: it exits 0 whatever the figures, and non-zero only when an item cannot be loaded.
 *
 * Usage: pnpm --filter @proctor/detector eval   (media are cached in ~/.cache/proctor-eval, or $PROCTOR_EVAL_CACHE)
 */

interface Item {
  id: string;
  source: Source;
  licence: string;
  labels: Labels;
  notes: string;
  /** Items of one scene share a split. */
  group?: string;
}

type Split = 'tune' | 'test';
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
/** --split tune|test|all (default: both halves reported apart); --tune sweeps thresholds on the tuning half. */
const splitArg = args[args.indexOf('--split') + 1];
const tuneMode = flag('tune');

const rules = DEFAULT_RULES;
// As in the rules: faces inside a detected screen (a video call, a photo on a monitor) are not people present.
const countable = (observation: FrameObservation) =>
  frameConditions(observation, rules, NO_CALIBRATION, objectContext(observation.objects ?? [], rules));

/** Uncalibrated (neutral pose = camera axis): the worst case, as before calibration or with a side camera. */
const gazeOf = (f: FaceObservation) => Math.max(Math.abs(f.gazeX ?? 0), Math.abs(f.gazeY ?? 0));

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

// One object check per rotation of the zoomed tiles: together they see every tile once.
const CHECKS_PER_STILL = Math.ceil(TILES.length / DEFAULT_TILES_PER_CHECK);
const pool = createDetectorPool();
const detected: Array<Item & { split: Split; still: StillObservation; detection: Detection }> = [];
// --reuse FILE: judge the model outputs a previous run stored (same labels), e.g. while tuning thresholds.
const reuseFile = args.includes('--reuse') ? args[args.indexOf('--reuse') + 1] : undefined;
const reused = new Map(
  reuseFile
    ? (
        JSON.parse(readFileSync(reuseFile, 'utf8')) as {
          items: Array<{
            id: string;
            faces: StillObservation['faces'];
            checks: StillObservation['checks'];
            size: Detection['size'];
            timings: Detection['timings'];
          }>;
        }
      ).items.map((i) => [i.id, i])
    : [],
);
for (const item of items) {
  const old = reused.get(item.id);
  if (!old) continue;
  const detection: Detection = {
    observation: { timeMs: 0, faces: old.faces },
    size: old.size,
    timings: old.timings,
  };
  detected.push({
    ...item,
    split: splitOf(item.id, item.group),
    still: { faces: old.faces, checks: old.checks },
    detection,
  });
}
const queue = items.filter((i) => roots.has(sourceKey(i.source)) && !reused.has(i.id));
process.stderr.write(
  `Running the detector on ${queue.length} items (${CHECKS_PER_STILL} object checks each), ${pool.size} threads…\n`,
);
let done = 0;
// One frame per thread at a time: the pool's queue is bounded and this is not a throughput test.
await Promise.all(
  Array.from({ length: pool.size }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      try {
        const data = loadMedia(item.source, roots.get(sourceKey(item.source)) as string);
        const checks = [];
        for (let objectCheck = 0; objectCheck < CHECKS_PER_STILL; objectCheck++)
          checks.push(
            await pool.detect({ kind: 'encoded', data }, { timeMs: 0, objects: true, objectCheck }),
          );
        const detection = checks[0] as Detection;
        const still = {
          faces: detection.observation.faces,
          checks: checks.map((c) => c.observation.objects ?? []),
        };
        detected.push({ ...item, split: splitOf(item.id, item.group), still, detection });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        console.error(`Cannot load ${item.id}: ${message}`);
        failures.push({ id: item.id, error: message });
      }
      if (++done % 20 === 0) process.stderr.write(`  ${done}/${items.length}\n`);
    }
  }),
);
await pool.close();
// Report in labels.json order, whatever order the threads finished in.
const order = new Map(items.map((item, index) => [item.id, index]));
detected.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));

const judged = (config: RulesConfig, split: Split | 'all') =>
  detected
    .filter((d) => split === 'all' || d.split === split)
    .map((d) => ({ ...d, predicted: judgeStill(d.still, config) }));

const interval = (i: [number, number] | null) =>
  i ? `${(i[0] * 100).toFixed(0)}–${(i[1] * 100).toFixed(0)}`.padEnd(7) : '  —    ';

function printTable(title: string, results: ReturnType<typeof judged>, metrics: Metrics) {
  out(`${title}: ${results.length} items`);
  out(
    'category        rule                            n   TP  FP  FN  TN  precision (95% CI)  recall (95% CI)  n/a  no-face',
  );
  for (const m of metrics) {
    const n = m.tp + m.fp + m.fn + m.tn;
    const cells = [m.tp, m.fp, m.fn, m.tn].map((x) => String(x).padStart(3)).join(' ');
    out(
      `${m.category.padEnd(15)} ${m.rule.padEnd(29)} ${String(n).padStart(3)}  ${cells}  ${pct(m.precision)} ${interval(m.precisionInterval)}     ${pct(m.recall)} ${interval(m.recallInterval)}  ${String(m.skipped).padStart(3)}  ${String(m.noFace).padStart(7)}`,
    );
  }
  const confusion = faceConfusion(results);
  out('face count (rows: labelled, columns: detected)');
  out(`         ${BUCKETS.map((b) => b.padStart(4)).join('')}`);
  for (const truth of BUCKETS)
    out(
      `  ${truth.padEnd(5)}  ${BUCKETS.map((guess) => String(confusion[truth]?.[guess] ?? 0).padStart(4)).join('')}`,
    );
  const exact = results.filter((r) => bucket(r.labels.faces) === bucket(r.predicted.faces)).length;
  out(`  right bucket: ${exact}/${results.length}`);
  out();
}

function faceConfusion(results: ReturnType<typeof judged>) {
  return Object.fromEntries(
    BUCKETS.map((truth) => [
      truth,
      Object.fromEntries(
        BUCKETS.map((guess) => [
          guess,
          results.filter((r) => bucket(r.labels.faces) === truth && bucket(r.predicted.faces) === guess)
            .length,
        ]),
      ),
    ]),
  ) as Record<string, Record<string, number>>;
}

out(
  `Detector evaluation: ${detected.length} of ${items.length} items; each still held ${HOLD_MS / 1000} s through the temporal rules (DEFAULT_RULES, uncalibrated)`,
);
out(
  `(faces ≥ ${rules.minFaceConfidence}; away: |yaw| > ${rules.maxYawDeg}° or |pitch| > ${rules.maxPitchDeg}° or gaze > ${rules.maxGaze}, or a person ≥ ${rules.personConfidence} with no face; ` +
    `eyes closed: EAR < ${rules.closedEyeAspectRatio}; objects: ${Object.entries(rules.objectConfidence)
      .map(([k, v]) => `${k} ≥ ${v}`)
      .join(', ')}, ${rules.objectChecks} of ${rules.objectWindow} checks)`,
);
out();
const splits: Array<Split | 'all'> =
  splitArg === 'tune' || splitArg === 'test' || splitArg === 'all' ? [splitArg] : ['tune', 'test'];
const report: Record<string, Metrics> = {};
for (const split of splits) {
  const results = judged(rules, split);
  const metrics = score(results);
  report[split] = metrics;
  printTable(
    split === 'test' ? 'TEST half (never used to choose anything)' : `${split} half`,
    results,
    metrics,
  );
}

if (tuneMode) tune();
if (flag('write-measured')) writeMeasured();

/** Records the TEST half's precision per category for DETECTOR_VERSION: it travels with every flag. */
function writeMeasured() {
  const metrics = score(judged(rules, 'test'));
  // A precision resting on a handful of flags says nothing: under MIN_FLAGS it is left unmeasured.
  const MIN_FLAGS = 10;
  const byCategory = Object.fromEntries(
    metrics.map((m) => [
      m.category,
      { precision: m.tp + m.fp >= MIN_FLAGS ? m.precision : null, flags: m.tp + m.fp },
    ]),
  );
  const measured = { modelVersion: DETECTOR_VERSION, measuredAt: new Date().toISOString(), byCategory };
  writeFileSync(join(here, '..', 'src', 'measured.json'), `${JSON.stringify(measured, null, 2)}\n`);
  out(`measured precision of the test half written to src/measured.json for ${DETECTOR_VERSION}`);
  out();
}

out('misclassified (label → prediction)');
const wrong = judged(rules, splits.length === 1 ? (splits[0] as Split | 'all') : 'all')
  .map((r) => describe(`${r.id} (${r.split})`, r.labels, r.predicted, mergedObservation(r.still)))
  .filter((line) => line !== '');
out(wrong.length ? wrong.join('\n') : '  none');
if (failures.length) {
  out();
  out('not loaded');
  for (const f of failures) out(`  ${f.id}: ${f.error}`);
}

/** All the checks' objects on one frame, for the description of a miss. */
function mergedObservation(still: StillObservation): FrameObservation {
  return { timeMs: 0, faces: still.faces, objects: still.checks.flat() };
}

/**
 * Threshold search on the TUNING half only, by coordinate descent (each setting swept with the others at their
 * best so far, twice over): per category, the loosest setting that keeps the precision target, else the best F1.
 * Prints the choice and how the test half fares with it; DEFAULT_RULES takes it by hand, so it stays reviewable.
 */
function tune() {
  const tuning = detected.filter((d) => d.split === 'tune');
  // A scene counts once, however many frames of it there are: 23 frames of one desk must not decide a threshold.
  const groupSize = new Map<string, number>();
  for (const d of tuning) groupSize.set(d.group ?? d.id, (groupSize.get(d.group ?? d.id) ?? 0) + 1);
  const weightOf = (d: (typeof detected)[number]) => 1 / (groupSize.get(d.group ?? d.id) ?? 1);
  const range = (from: number, to: number, step: number) =>
    Array.from({ length: Math.round((to - from) / step) + 1 }, (_, k) => +(from + k * step).toFixed(3));
  const object = (kind: keyof RulesConfig['objectConfidence']) => (c: RulesConfig, v: number) => ({
    ...c,
    objectConfidence: { ...c.objectConfidence, [kind]: v },
  });
  const set =
    (key: 'maxYawDeg' | 'maxPitchDeg' | 'maxGaze' | 'personConfidence' | 'closedEyeAspectRatio') =>
    (c: RulesConfig, v: number) => ({ ...c, [key]: v });
  const confidences = range(0.2, 0.95, 0.05);
  const knobs: Array<{
    name: string;
    category: string;
    target: number;
    values: number[];
    apply: (c: RulesConfig, v: number) => RulesConfig;
  }> = [
    { name: 'PHONE', category: 'phone', target: 0.9, values: confidences, apply: object('PHONE') },
    { name: 'BOOK', category: 'book/paper', target: 0.85, values: confidences, apply: object('BOOK') },
    { name: 'LAPTOP', category: 'device', target: 0.9, values: confidences, apply: object('LAPTOP') },
    { name: 'KEYBOARD', category: 'device', target: 0.9, values: confidences, apply: object('KEYBOARD') },
    { name: 'SCREEN', category: 'device', target: 0.9, values: confidences, apply: object('SCREEN') },
    {
      name: 'maxYawDeg',
      category: 'looking away',
      target: 0.9,
      values: range(10, 40, 2.5),
      apply: set('maxYawDeg'),
    },
    {
      name: 'maxPitchDeg',
      category: 'looking away',
      target: 0.9,
      values: range(10, 40, 2.5),
      apply: set('maxPitchDeg'),
    },
    {
      name: 'maxGaze',
      category: 'looking away',
      target: 0.9,
      values: range(0.2, 0.8, 0.05),
      apply: set('maxGaze'),
    },
    {
      name: 'personConfidence',
      category: 'looking away',
      target: 0.9,
      values: range(0.3, 0.95, 0.05),
      apply: set('personConfidence'),
    },
    {
      name: 'closedEyeAspectRatio',
      category: 'eyes closed',
      target: 0.9,
      values: range(0.08, 0.26, 0.01),
      apply: set('closedEyeAspectRatio'),
    },
  ];
  const measure = (config: RulesConfig, category: string, items = tuning, weighted = true) => {
    const m = score(
      items.map((d) => ({
        labels: d.labels,
        predicted: judgeStill(d.still, config),
        weight: weighted ? weightOf(d) : 1,
      })),
    ).find((x) => x.category === category);
    const p = m?.precision ?? 1;
    const r = m?.recall ?? 0;
    return { p, r, f1: p + r > 0 ? (2 * p * r) / (p + r) : 0, positives: (m?.tp ?? 0) + (m?.fn ?? 0) };
  };
  // Fewer positive scenes than this and a threshold would follow noise: it stays where it is.
  const MIN_POSITIVE_SCENES = 5;
  let best: RulesConfig = { ...rules };
  out(
    `threshold search on the tuning half (${tuning.length} items in ${groupSize.size} scenes, each scene counted once)`,
  );
  for (let pass = 1; pass <= 2; pass++)
    for (const knob of knobs) {
      const positives = measure(best, knob.category).positives;
      if (positives < MIN_POSITIVE_SCENES) {
        if (pass === 2)
          out(
            `  ${knob.category.padEnd(13)} ${knob.name.padEnd(21)} kept at its default (only ${positives.toFixed(1)} positive scenes in the tuning half)`,
          );
        continue;
      }
      const rows = knob.values.map((value) => ({
        value,
        ...measure(knob.apply(best, value), knob.category),
      }));
      const meeting = rows.filter((row) => row.p >= knob.target).sort((a, b) => b.r - a.r || b.p - a.p);
      const chosen = meeting[0];
      // No setting keeps the precision target: moving it would trade false flags for recall on noise. Keep it.
      if (!chosen) {
        if (pass === 2) {
          const f1 = [...rows].sort((a, b) => b.f1 - a.f1)[0];
          out(
            `  ${knob.category.padEnd(13)} ${knob.name.padEnd(21)} kept: no value reaches P ${pct(knob.target)} (best F1 at ${f1?.value}: P ${pct(f1?.p ?? null)}, R ${pct(f1?.r ?? null)})`,
          );
        }
        continue;
      }
      best = knob.apply(best, chosen.value);
      if (pass === 2)
        out(
          `  ${knob.category.padEnd(13)} ${knob.name.padEnd(21)} → ${chosen.value} (tune P ${pct(chosen.p)}, R ${pct(chosen.r)})`,
        );
    }
  const test = detected.filter((d) => d.split === 'test');
  out('  with these settings, the TEST half (for the record, not to choose):');
  for (const category of new Set(knobs.map((k) => k.category))) {
    const m = measure(best, category, test, false);
    out(`    ${category.padEnd(13)} P ${pct(m.p)}  R ${pct(m.r)}`);
  }
  out(
    `  settings: ${JSON.stringify({ objectConfidence: best.objectConfidence, maxYawDeg: best.maxYawDeg, maxPitchDeg: best.maxPitchDeg, maxGaze: best.maxGaze, personConfidence: best.personConfidence, closedEyeAspectRatio: best.closedEyeAspectRatio })}`,
  );
  out();
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
      detector: {
        human: humanVersion,
        models: `blazeface, facemesh, iris (Human), ${OBJECT_MODEL.name} (${OBJECT_MODEL.package}@${OBJECT_MODEL.version}); tfjs wasm`,
      },
      thresholds: rules,
      calibration: 'none (camera axis)',
      metrics: report,
      items: judged(rules, 'all').map((r) => ({
        id: r.id,
        split: r.split,
        source: r.source,
        labels: r.labels,
        predicted: r.predicted,
        faces: r.still.faces,
        checks: r.still.checks,
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
