/// <reference lib="webworker" />

import { humanConfig, type ModelResult, toFrameObservation } from '@proctor/detector';
import Human, { type Config } from '@vladmandic/human';

// The face models run here, off the page's main thread, on tfjs's wasm backend (no GPU is assumed); objects
// run in their own worker (objects.worker.ts) so a slow object check never lowers the face frame rate.
// Models and wasm binaries are served by the app itself (copied from the npm packages at build), never a CDN.
const paths = { wasmPath: '/detector/wasm/', modelBasePath: '/detector/models/' };
// The live camera: face boxes are tracked between detector runs (humanConfig's `trackFaces`).
const config = humanConfig(paths, true) as Partial<Config>;
const human = new Human(config);
const ready = human.load();

self.onmessage = async (message: MessageEvent<{ frame: ImageBitmap; timeMs: number }>) => {
  const { frame, timeMs } = message.data;
  try {
    await ready;
    // The full config on every call: a partial per-call config would stick to the instance.
    const result = await human.detect(frame, config);
    self.postMessage({ observation: toFrameObservation(result as unknown as ModelResult, timeMs) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  } finally {
    frame.close();
  }
};
