import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DetectorError, type DetectorErrorCode } from '../errors.ts';
import { DEFAULT_TILES_PER_CHECK } from '../objects.ts';
import type { FrameObservation } from '../rules.ts';
import { ASSETS } from './assets.ts';
import { checkFrame, type FrameInput } from './frame.ts';
import type { DetectRequest, StageTimings } from './worker.ts';

export interface DetectorPoolOptions {
  /** Worker threads; one per core by default (tfjs wasm runs single-threaded in Node). */
  size?: number;
  /** Frames waiting for a free worker; beyond this `detect` rejects with POOL_SATURATED at once. */
  maxQueue?: number;
  /** Folder of the model files; the ones inside @vladmandic/human by default. */
  modelDir?: string;
  /** Folder of the object model (COCO-SSD); the one deploy/bootstrap.sh extracts by default. */
  objectModelDir?: string;
  /** Zoomed tiles each object check looks at besides the whole frame (more: slower, finds smaller items). */
  tilesPerCheck?: number;
}

export interface Detection {
  observation: FrameObservation;
  /** The size the models saw (frames are downsized to fit 640×480). */
  size: { width: number; height: number };
  /** A 320 px wide JPEG of the frame, when asked for. */
  snapshot?: Uint8Array;
  timings: StageTimings;
}

export interface PoolStats {
  size: number;
  busy: number;
  queued: number;
  processed: number;
  failed: number;
  rejected: number;
  restarts: number;
}

interface Job {
  request: Omit<DetectRequest, 'id'>;
  resolve: (detection: Detection) => void;
  reject: (error: DetectorError) => void;
}

interface Slot {
  worker: Worker;
  job: (Job & { id: number }) | null;
}

type Reply = Detection & { id: number; error?: { code: DetectorErrorCode; message: string } };

const WORKER_URL = new URL('./worker-entry.mjs', import.meta.url);
/** A worker that dies this many times in a row without answering a frame is broken, not unlucky. */
const MAX_CONSECUTIVE_CRASHES = 3;

/**
 * A fixed pool of detector worker threads with a bounded queue. A crashed worker fails only its own frame and
 * is replaced; a full queue fails fast so the caller can lower its sampling rate instead of queueing forever.
 */
export function createDetectorPool(options: DetectorPoolOptions = {}) {
  const size = options.size ?? availableParallelism();
  const maxQueue = options.maxQueue ?? size * 2;
  const modelDir = options.modelDir ?? ASSETS.modelDir;
  const objectModelDir = options.objectModelDir ?? ASSETS.objectModelDir;
  const tilesPerCheck = options.tilesPerCheck ?? DEFAULT_TILES_PER_CHECK;
  const queue: Job[] = [];
  const stats = { processed: 0, failed: 0, rejected: 0, restarts: 0 };
  let consecutiveCrashes = 0;
  let nextId = 0;
  let closed = false;
  let brokenReason: string | null = null;
  const brokenError = () =>
    new DetectorError(
      'WORKER_CRASHED',
      `Detector threads keep stopping (${brokenReason}): check the install (pnpm install) and the logs`,
    );

  const spawn = (): Slot => {
    const slot: Slot = {
      worker: new Worker(WORKER_URL, { workerData: { modelDir, objectModelDir } }),
      job: null,
    };
    slot.worker.on('message', (reply: Reply) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      slot.job = null;
      if (reply.error) {
        stats.failed++;
        job.reject(new DetectorError(reply.error.code, reply.error.message));
      } else {
        consecutiveCrashes = 0;
        stats.processed++;
        const { id: _, error: __, ...detection } = reply;
        job.resolve(detection);
      }
      pump();
    });
    // A worker that dies (out of memory, a native fault) fails its frame and is replaced.
    const replace = (reason: string) => {
      const index = slots.indexOf(slot);
      if (index < 0) return;
      slot.job?.reject(
        new DetectorError('WORKER_CRASHED', `A detector thread stopped (${reason}); it was restarted`),
      );
      if (slot.job) stats.failed++;
      slot.job = null;
      if (closed) return;
      if (++consecutiveCrashes > MAX_CONSECUTIVE_CRASHES * size) {
        // Restarting would loop forever (e.g. a broken install): fail what waits and refuse new frames.
        closed = true;
        brokenReason = reason;
        for (const waiting of queue.splice(0)) waiting.reject(brokenError());
        return;
      }
      stats.restarts++;
      slots[index] = spawn();
      pump();
    };
    slot.worker.on('error', (error) => replace(error.message));
    slot.worker.on('exit', (code) => replace(`exit code ${code}`));
    return slot;
  };

  const slots: Slot[] = Array.from({ length: size }, spawn);

  function pump() {
    for (const slot of slots) {
      if (slot.job) continue;
      const job = queue.shift();
      if (!job) return;
      const id = ++nextId;
      slot.job = { ...job, id };
      slot.worker.postMessage({ ...job.request, id } satisfies DetectRequest);
    }
  }

  return {
    size,
    /** Runs the models on one frame; `objects` adds the (slower) object detector. */
    detect(
      frame: FrameInput,
      request: { timeMs: number; objects?: boolean; objectCheck?: number; snapshot?: boolean },
    ): Promise<Detection> {
      if (brokenReason) return Promise.reject(brokenError());
      if (closed) return Promise.reject(new DetectorError('POOL_CLOSED', 'The detector pool is closed'));
      try {
        checkFrame(frame); // bad input never takes a place in the queue
      } catch (error) {
        stats.failed++;
        return Promise.reject(error);
      }
      const idle = slots.some((s) => !s.job);
      if (!idle && queue.length >= maxQueue) {
        stats.rejected++;
        return Promise.reject(
          new DetectorError(
            'POOL_SATURATED',
            `All ${size} detector threads are busy and ${maxQueue} frames wait: sample less often`,
          ),
        );
      }
      return new Promise<Detection>((resolve, reject) => {
        queue.push({
          request: {
            frame,
            timeMs: request.timeMs,
            objects: request.objects ?? false,
            objectCheck: request.objectCheck,
            tilesPerCheck,
            snapshot: request.snapshot ?? false,
          },
          resolve,
          reject,
        });
        pump();
      });
    },
    stats(): PoolStats {
      return { size, busy: slots.filter((s) => s.job).length, queued: queue.length, ...stats };
    },
    async close(): Promise<void> {
      closed = true;
      for (const job of queue.splice(0))
        job.reject(new DetectorError('POOL_CLOSED', 'The detector pool is closed'));
      const workers = slots.splice(0).map((s) => s.worker);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

export type DetectorPool = ReturnType<typeof createDetectorPool>;
