import type { FaceObservation, FrameObservation, ObjectObservation } from './rules.ts';

/**
 * What the browser worker and the Node pool share about the models: which ones run, with what settings, and
 * how Human's result becomes a `FrameObservation`. Kept free of Human's runtime so the rules stay pure.
 */

/** With `trackFaces`, how old the face boxes may get before the detector looks for faces again. */
export const FACE_REDETECT_MS = 500;

/** The model files (each a `.json` graph plus its `.bin` weights) that detection needs. */
export const MODEL_FILES = ['blazeface', 'facemesh', 'iris'] as const;

/**
 * Human's configuration: the face pipeline (objects are the object stage's, `objects.ts`). `trackFaces` (the
 * browser's live camera): the face detector re-runs at most every `FACE_REDETECT_MS` while the mesh and iris
 * run on every frame from the last boxes, so a new face is found within half a second and each frame still
 * gets its own pose, gaze and eyes. Off for the Node pool, whose samples are separate moments.
 */
export function humanConfig(paths: { modelBasePath: string; wasmPath: string }, trackFaces = false) {
  return {
    backend: 'wasm' as const,
    wasmPath: paths.wasmPath,
    modelBasePath: paths.modelBasePath,
    debug: false,
    // Stages one after the other: tfjs wasm is single-threaded anyway, and Human then times each stage.
    async: false,
    warmup: 'none' as const,
    // Tracking reuses face boxes only while the picture stays alike (a change above 20 % re-detects at once).
    cacheSensitivity: trackFaces ? 0.2 : 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: {
        enabled: true,
        rotation: false,
        maxDetected: 4,
        minConfidence: 0.4,
        return: false,
        skipFrames: trackFaces ? 99 : 0,
        skipTime: trackFaces ? FACE_REDETECT_MS : 0,
      },
      mesh: { enabled: true },
      iris: { enabled: true },
      emotion: { enabled: false },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
    },
    object: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
}

/** The parts of Human's result the rules use (structural, so both Human builds fit). */
export interface ModelResult {
  face: Array<{
    box: [number, number, number, number];
    score: number;
    mesh: number[][];
    rotation?: { angle: { yaw: number; pitch: number }; gaze: { bearing: number; strength: number } } | null;
  }>;
}

const distance = (a?: number[], b?: number[]) =>
  a && b ? Math.hypot((a[0] ?? 0) - (b[0] ?? 0), (a[1] ?? 0) - (b[1] ?? 0)) : 0;

/** Eye aspect ratio from the face mesh (MediaPipe indices): ~0.3 open, below ~0.18 closed. */
export function eyeAspectRatio(mesh: number[][]): number | undefined {
  const eye = (indices: number[]) => {
    const [p1, p2, p3, p4, p5, p6] = indices.map((k) => mesh[k]);
    const width = distance(p1, p4);
    return width > 0 ? (distance(p2, p6) + distance(p3, p5)) / (2 * width) : undefined;
  };
  const left = eye([33, 160, 158, 133, 153, 144]);
  const right = eye([362, 385, 387, 263, 373, 380]);
  return left !== undefined && right !== undefined ? (left + right) / 2 : undefined;
}

const degrees = (radians: number | undefined) => ((radians ?? 0) * 180) / Math.PI;

const toBox = (b: [number, number, number, number]) => ({ x: b[0], y: b[1], width: b[2], height: b[3] });

/** One frame's observation from Human's result, with the object stage's findings when it ran on this frame. */
export function toFrameObservation(
  result: ModelResult,
  timeMs: number,
  objects?: ObjectObservation[],
): FrameObservation {
  const faces = result.face.map(
    (f): FaceObservation => ({
      box: toBox(f.box),
      confidence: f.score,
      yawDeg: degrees(f.rotation?.angle.yaw),
      pitchDeg: degrees(f.rotation?.angle.pitch),
      gazeX: (f.rotation?.gaze.strength ?? 0) * Math.cos(f.rotation?.gaze.bearing ?? 0),
      gazeY: (f.rotation?.gaze.strength ?? 0) * Math.sin(f.rotation?.gaze.bearing ?? 0),
      eyeAspectRatio: eyeAspectRatio(f.mesh),
    }),
  );
  const observation: FrameObservation = { timeMs, faces };
  if (objects) observation.objects = objects;
  return observation;
}
