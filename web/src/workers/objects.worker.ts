/// <reference lib="webworker" />

import {
  DEFAULT_TILES_PER_CHECK,
  detectObjects,
  humanConfig,
  type ObjectModel,
  tilesFor,
} from '@proctor/detector';
import Human, { type Config } from '@vladmandic/human';

// The object stage (COCO-SSD plus zoomed tiles, packages/detector/src/objects.ts) on Human's own tfjs and wasm
// backend: the same model, runtime and code as the verifier's Node pool.
const paths = { wasmPath: '/detector/wasm/', modelBasePath: '/detector/models/' };
const human = new Human(humanConfig(paths) as Partial<Config>);
type Tf = Parameters<typeof detectObjects>[0];
const tf = human.tf as unknown as Tf & { loadGraphModel(url: string): Promise<ObjectModel> };
const ready = human.init().then(() => tf.loadGraphModel('/detector/models/coco-ssd/model.json'));
let check = 0;

self.onmessage = async (message: MessageEvent<{ frame: ImageBitmap; timeMs: number }>) => {
  const { frame, timeMs } = message.data;
  try {
    const model = await ready;
    const pixels = tf.browser.fromPixels(frame);
    try {
      const objects = await detectObjects(tf, model, pixels, tilesFor(check++, DEFAULT_TILES_PER_CHECK));
      self.postMessage({ timeMs, objects });
    } finally {
      pixels.dispose();
    }
  } catch (error) {
    self.postMessage({ timeMs, error: String(error) });
  } finally {
    frame.close();
  }
};
