/// <reference lib="webworker" />

import type { FaceObservation, FrameObservation, ObjectObservation } from '@proctor/detector';
import Human, { type Config } from '@vladmandic/human';

// The models run here, off the page's main thread, on tfjs's wasm backend (no GPU is assumed). Models and
// wasm binaries are served by the app itself (copied from the npm packages at build), never from a CDN.

const config: Partial<Config> = {
  backend: 'wasm',
  wasmPath: '/detector/wasm/',
  modelBasePath: '/detector/models/',
  debug: false,
  async: true,
  warmup: 'none',
  cacheSensitivity: 0,
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: { enabled: true, rotation: false, maxDetected: 4, minConfidence: 0.4, return: false },
    mesh: { enabled: true },
    iris: { enabled: true },
    emotion: { enabled: false },
    description: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
    attention: { enabled: false },
  },
  object: { enabled: false, modelPath: 'centernet.json', minConfidence: 0.35, maxDetected: 10 },
  body: { enabled: false },
  hand: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
};

const human = new Human(config);
const ready = human.load();

type Point = [number, number, number?];
const distance = (a?: Point, b?: Point) => (a && b ? Math.hypot(a[0] - b[0], a[1] - b[1]) : 0);

/** Eye aspect ratio from the face mesh (MediaPipe indices): ~0.3 open, below ~0.18 closed. */
function eyeAspectRatio(mesh: Point[]): number | undefined {
  const eye = (i: number[]) => {
    const [p1, p2, p3, p4, p5, p6] = i.map((k) => mesh[k]);
    const width = distance(p1, p4);
    return width > 0 ? (distance(p2, p6) + distance(p3, p5)) / (2 * width) : undefined;
  };
  const left = eye([33, 160, 158, 133, 153, 144]);
  const right = eye([362, 385, 387, 263, 373, 380]);
  return left !== undefined && right !== undefined ? (left + right) / 2 : undefined;
}

const degrees = (radians: number | undefined) => ((radians ?? 0) * 180) / Math.PI;

self.onmessage = async (message: MessageEvent<{ frame: ImageBitmap; timeMs: number; objects: boolean }>) => {
  const { frame, timeMs, objects } = message.data;
  try {
    await ready;
    const result = await human.detect(frame, { ...config, object: { ...config.object, enabled: objects } });
    const faces: FaceObservation[] = result.face.map((f) => ({
      box: { x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] },
      confidence: f.score,
      yawDeg: degrees(f.rotation?.angle.yaw),
      pitchDeg: degrees(f.rotation?.angle.pitch),
      gazeX: (f.rotation?.gaze.strength ?? 0) * Math.cos(f.rotation?.gaze.bearing ?? 0),
      gazeY: (f.rotation?.gaze.strength ?? 0) * Math.sin(f.rotation?.gaze.bearing ?? 0),
      eyeAspectRatio: eyeAspectRatio(f.mesh as Point[]),
    }));
    const observation: FrameObservation = { timeMs, faces };
    if (objects) {
      observation.objects = result.object.map(
        (o): ObjectObservation => ({
          label: o.label,
          confidence: o.score,
          box: { x: o.box[0], y: o.box[1], width: o.box[2], height: o.box[3] },
        }),
      );
    }
    self.postMessage({ observation });
  } catch (error) {
    self.postMessage({ error: String(error) });
  } finally {
    frame.close();
  }
};
