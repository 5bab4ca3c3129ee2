import {
  calibrate,
  createRules,
  type FrameObservation,
  type ObjectObservation,
  type Rules,
  toEventPayload,
} from '@proctor/detector';
import type { EventFactory } from './client-events.ts';
import type { ClientEvent } from './outbox.ts';

/** How often the detector says it is running (the verifier calls a browser silent after a minute). */
const STATUS_EVERY_MS = 15_000;

/** A 160 px wide JPEG of the current camera frame, as a data URL (a few KB: it travels inside the event). */
function snapshotOf(video: HTMLVideoElement): string {
  if (!video.videoWidth) return '';
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = Math.round((160 * video.videoHeight) / video.videoWidth);
  canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/jpeg', 0.6);
}

export interface DetectionHandle {
  stop(): void;
}

export interface DetectionOptions {
  /** Face pipeline cadence; object detection runs every `objectEveryMs`. */
  frameEveryMs?: number;
  objectEveryMs?: number;
  onFrame?: (observation: FrameObservation) => void;
  onError?: (message: string) => void;
}

/**
 * Runs the models on the local camera in two Web Workers (faces every frame, objects every `objectEveryMs`,
 * so a slow object check never lowers the face rate) and the rules on the page: calibrates the neutral pose
 * from the first frames with one face, then turns observations into events. One frame in flight per worker,
 * so a slow machine lowers the rate instead of queueing.
 */
export function startDetection(
  video: HTMLVideoElement,
  factory: EventFactory,
  emit: (e: ClientEvent) => void,
  options: DetectionOptions = {},
): DetectionHandle {
  const frameEveryMs = options.frameEveryMs ?? 100;
  const objectEveryMs = options.objectEveryMs ?? 500;
  const worker = new Worker(new URL('../workers/detector.worker.ts', import.meta.url), { type: 'module' });
  const objectWorker = new Worker(new URL('../workers/objects.worker.ts', import.meta.url), {
    type: 'module',
  });
  const started = performance.now();
  const calibrationFrames: FrameObservation[] = [];
  // Rules run from the first frame (an absence counts from the start); the neutral pose comes later.
  const rules: Rules = createRules({ newId: () => crypto.randomUUID() });
  let calibrated = false;
  let busy = false;
  let objectsBusy = false;
  let lastObjects = -Infinity;
  // The latest object check's findings, joined to the next face frame the rules see.
  let pendingObjects: ObjectObservation[] | undefined;

  objectWorker.onmessage = (message: MessageEvent<{ objects?: ObjectObservation[]; error?: string }>) => {
    objectsBusy = false;
    if (message.data.error) options.onError?.(message.data.error);
    else pendingObjects = message.data.objects;
  };
  let stopped = false;
  let framesSinceStatus = 0;
  let lastStatusAt = performance.now();

  worker.onmessage = (message: MessageEvent<{ observation?: FrameObservation; error?: string }>) => {
    busy = false;
    if (message.data.error) {
      options.onError?.(message.data.error);
      return;
    }
    const face = message.data.observation;
    if (!face || stopped) return;
    const observation: FrameObservation = pendingObjects ? { ...face, objects: pendingObjects } : face;
    pendingObjects = undefined;
    options.onFrame?.(observation);
    framesSinceStatus += 1;
    if (!calibrated && observation.faces.length === 1) {
      calibrationFrames.push(observation);
      // 15 frames with one face measure the neutral head pose (the candidate was asked to look at the screen).
      if (calibrationFrames.length >= 15) {
        rules.recalibrate(calibrate(calibrationFrames));
        calibrated = true;
      }
    }
    const wallStart = Date.now() - (performance.now() - started);
    for (const event of rules.push(observation)) {
      // A START carries a small picture of the moment it was flagged, shown beside the flag in the report.
      const snapshot = event.phase === 'START' ? snapshotOf(video) : '';
      emit(factory.make(toEventPayload(event, snapshot), new Date(wallStart + event.atMs)));
    }
  };

  const timer = setInterval(async () => {
    if (busy || stopped || video.readyState < 2) return;
    busy = true;
    const timeMs = performance.now() - started;
    try {
      const frame = await createImageBitmap(video);
      worker.postMessage({ frame, timeMs }, [frame]);
    } catch {
      busy = false;
    }
    if (objectsBusy || timeMs - lastObjects < objectEveryMs) return;
    objectsBusy = true;
    lastObjects = timeMs;
    try {
      const frame = await createImageBitmap(video);
      objectWorker.postMessage({ frame, timeMs }, [frame]);
    } catch {
      objectsBusy = false;
    }
  }, frameEveryMs);

  // "Still watching": lets the server-side verifier tell a quiet candidate from a browser that stopped reporting.
  const status = setInterval(() => {
    const now = performance.now();
    const fps = (framesSinceStatus * 1000) / (now - lastStatusAt);
    emit(factory.make({ detectorStatus: { framesAnalysed: framesSinceStatus, fps } }, new Date()));
    framesSinceStatus = 0;
    lastStatusAt = now;
  }, STATUS_EVERY_MS);

  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(status);
      worker.terminate();
      objectWorker.terminate();
    },
  };
}
