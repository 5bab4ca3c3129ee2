import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { DetectorError } from '../errors.ts';
import { humanConfig, type ModelResult, toFrameObservation } from '../models.ts';
import { ASSETS, checkModels, modelBaseUrl } from './assets.ts';
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
const { modelDir } = workerData as { modelDir: string };

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
  tf: {
    tensor3d(data: Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
  };
};

async function loadHuman(): Promise<HumanInstance> {
  checkModels(modelDir);
  const { Human } = createRequire(import.meta.url)(ASSETS.humanNodeWasm) as {
    Human: new (config: unknown) => HumanInstance;
  };
  const human = new Human(humanConfig(paths, true));
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
  return human;
}

const ready = loadHuman();
// A missing model is reported on the first request, with its code; it must not crash the thread silently.
ready.catch(() => {});

const describe = (error: unknown) =>
  error instanceof DetectorError
    ? { code: error.code, message: error.message }
    : { code: 'CORRUPT_FRAME', message: `The models could not analyse the frame: ${String(error)}` };

port.on('message', async (request: DetectRequest) => {
  const started = performance.now();
  try {
    const human = await ready;
    const frame = await decodeFrame(request.frame);
    const decodedAt = performance.now();
    const tensor = human.tf.tensor3d(frame.rgb, [frame.height, frame.width, 3], 'int32');
    try {
      const result = await human.detect(tensor, humanConfig(paths, request.objects));
      const snapshot = request.snapshot ? await snapshotJpeg(frame) : undefined;
      const timings: StageTimings = {
        decodeMs: decodedAt - started,
        faceMs: result.performance.face ?? 0,
        objectMs: request.objects ? (result.performance.object ?? 0) : 0,
        totalMs: performance.now() - started,
      };
      port.postMessage({
        id: request.id,
        observation: toFrameObservation(result, request.timeMs, request.objects),
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
