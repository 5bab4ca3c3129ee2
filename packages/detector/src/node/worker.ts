import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { DetectorError } from '../errors.ts';
import { humanConfig, type ModelResult, toFrameObservation } from '../models.ts';
import { detectObjects, type ObjectModel, tilesFor } from '../objects.ts';
import type { ObjectObservation } from '../rules.ts';
import { ASSETS, checkModels, checkObjectModel, modelBaseUrl } from './assets.ts';
import { decodeFrame, type FrameInput, snapshotJpeg } from './frame.ts';

/**
 * One detector in a worker thread: decodes a frame, runs Human (tfjs wasm, single-threaded: wasm threads do
 * not work in Node) and answers with the observation and per-stage timings. Errors are answered, never thrown.
 */

export interface DetectRequest {
  id: number;
  frame: FrameInput;
  timeMs: number;
  objects: boolean;
  /** Which rotation of zoomed tiles this object check looks at (`tilesFor`); the thread's own count if absent. */
  objectCheck?: number;
  /** Zoomed tiles per object check, besides the whole frame. */
  tilesPerCheck: number;
  snapshot: boolean;
}

export interface StageTimings {
  decodeMs: number;
  faceMs: number;
  objectMs: number;
  totalMs: number;
}

const port = parentPort;
if (!port) throw new Error('worker.ts runs only as a worker thread (see pool.ts)');
const { modelDir, objectModelDir } = workerData as { modelDir: string; objectModelDir: string };

// Node's fetch has no file: scheme and tfjs loads weights with fetch: serve file: URLs from disk in this thread.
const networkFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith('file:')) return networkFetch(input, init);
  return new Response(await readFile(new URL(url)));
};

const paths = { modelBasePath: modelBaseUrl(modelDir), wasmPath: `${ASSETS.wasmDir}/` };
type HumanInstance = {
  load(): Promise<void>;
  models: { list(): Array<{ name: string; loaded: boolean }> };
  detect(input: unknown, config: unknown): Promise<ModelResult & { performance: Record<string, number> }>;
  tf: typeof import('@tensorflow/tfjs-core') & {
    loadGraphModel(url: string): Promise<ObjectModel>;
  };
};

async function loadModels(): Promise<{ human: HumanInstance; objectModel: ObjectModel }> {
  checkModels(modelDir);
  checkObjectModel(objectModelDir);
  const { Human } = createRequire(import.meta.url)(ASSETS.humanNodeWasm) as {
    Human: new (config: unknown) => HumanInstance;
  };
  const human = new Human(humanConfig(paths));
  // Human logs a model that fails to load and carries on; a detector without it would see nothing.
  const failed = await human.load().then(
    () => human.models.list().flatMap((m) => (m.loaded ? [] : [m.name])),
    (error: unknown) => [String(error)],
  );
  if (failed.length)
    throw new DetectorError(
      'MODEL_UNLOADABLE',
      `The models in ${modelDir} could not be loaded (${failed.join(', ')}): reinstall @vladmandic/human (pnpm install)`,
    );
  // The object model runs on Human's own tfjs (one runtime, one wasm backend for every model).
  const objectModel = await human.tf
    .loadGraphModel(`${modelBaseUrl(objectModelDir)}model.json`)
    .catch((error: unknown) => {
      throw new DetectorError(
        'MODEL_UNLOADABLE',
        `The object model in ${objectModelDir} could not be loaded (${String(error)}): run \`bash deploy/bootstrap.sh\``,
      );
    });
  return { human, objectModel };
}

const ready = loadModels();
let checks = 0;
// A missing model is reported on the first request, with its code; it must not crash the thread silently.
ready.catch(() => {});

const describe = (error: unknown) =>
  error instanceof DetectorError
    ? { code: error.code, message: error.message }
    : { code: 'CORRUPT_FRAME', message: `The models could not analyse the frame: ${String(error)}` };

port.on('message', async (request: DetectRequest) => {
  const started = performance.now();
  try {
    const { human, objectModel } = await ready;
    const frame = await decodeFrame(request.frame);
    const decodedAt = performance.now();
    const tensor = human.tf.tensor3d(frame.rgb, [frame.height, frame.width, 3], 'int32');
    try {
      const result = await human.detect(tensor, humanConfig(paths));
      const faceDoneAt = performance.now();
      let objects: ObjectObservation[] | undefined;
      if (request.objects) {
        const tiles = tilesFor(request.objectCheck ?? checks++, request.tilesPerCheck);
        objects = await detectObjects(human.tf, objectModel, tensor, tiles);
      }
      const snapshot = request.snapshot ? await snapshotJpeg(frame) : undefined;
      const timings: StageTimings = {
        decodeMs: decodedAt - started,
        faceMs: result.performance.face ?? 0,
        objectMs: request.objects ? performance.now() - faceDoneAt : 0,
        totalMs: performance.now() - started,
      };
      port.postMessage({
        id: request.id,
        observation: toFrameObservation(result, request.timeMs, objects),
        size: { width: frame.width, height: frame.height },
        snapshot,
        timings,
      });
    } finally {
      tensor.dispose();
    }
  } catch (error) {
    port.postMessage({ id: request.id, error: describe(error) });
  }
});
