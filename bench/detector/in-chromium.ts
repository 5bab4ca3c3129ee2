import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@proctor/chromium';
import { humanConfig } from '@proctor/detector';
import { ASSETS } from '@proctor/detector/node';
import { stackValue } from '@proctor/testkit';
import { build } from 'esbuild';
import { percentile } from '../machine.ts';
import type { BenchFrame } from './frames.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.html': 'text/html',
};

/** Serves Human's browser build, the models, tfjs's wasm files and the object stage as the web app does (same origin). */
async function serveAssets(frame: BenchFrame, objectStage: string) {
  const roots: Record<string, string> = {
    human: dirname(ASSETS.humanNodeWasm),
    models: ASSETS.modelDir,
    wasm: ASSETS.wasmDir,
    'coco-ssd': ASSETS.objectModelDir,
  };
  const server = createServer((req, res) => {
    const [, root = '', ...rest] = (req.url ?? '/').split('?')[0]?.split('/') ?? [];
    if (root === 'frame.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(frame.jpeg);
      return;
    }
    if (root === 'objects.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(objectStage);
      return;
    }
    const base = roots[root];
    const file = base ? normalize(join(base, ...rest)) : '';
    if (!base || !file.startsWith(base) || !existsSync(file)) {
      res
        .writeHead(root === '' ? 200 : 404, { 'content-type': 'text/html' })
        .end('<!doctype html><title>bench</title>');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface PageTimings {
  faceMs: number[];
  objectMs: number[];
  faces: number;
  objectsSeen: string[];
  seconds: number;
  longTasksMs: number[];
  backend: string;
}

/**
 * The page's detector as the candidate's browser runs it: the face models and the object stage each in its own
 * Web Worker (Human on tfjs wasm, no GPU), both running for `seconds`, while the page's main thread is watched
 * for long tasks (what would make the call stutter).
 */
export async function benchInChromium(frame: BenchFrame, seconds: number) {
  const objectStage = await build({
    entryPoints: [fileURLToPath(new URL('../../packages/detector/src/objects.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    write: false,
  });
  const { server, url } = await serveAssets(frame, objectStage.outputFiles[0]?.text ?? '');
  const browser = await launchChromium(stackValue('CHROMIUM_PATH'));
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const faceConfig = humanConfig({ modelBasePath: `${url}/models/`, wasmPath: `${url}/wasm/` }, true);
    // A page script as text: functions compiled by tsx would carry helpers the page does not have.
    const t = (await page.evaluate(`(async () => {
      const longTasksMs = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasksMs.push(e.duration); })
        .observe({ type: 'longtask', buffered: true });
      const prelude = "const { default: Human } = await import('${url}/human/human.esm.js');" +
        "const image = await createImageBitmap(await (await fetch('${url}/frame.jpg')).blob());" +
        "const config = " + ${JSON.stringify(JSON.stringify(faceConfig))} + ";";
      const start = (body) => new Worker(URL.createObjectURL(new Blob([prelude + body], { type: 'text/javascript' })), { type: 'module' });
      const result = (w) => new Promise((resolve, reject) => { w.onmessage = (m) => resolve(m.data); w.onerror = (e) => reject(new Error(e.message)); });
      const face = start(\`
        const human = new Human(config); await human.load();
        for (let i = 0; i < 3; i++) await human.detect(image, config);
        const ms = []; let faces = 0; const end = performance.now() + ${seconds} * 1000;
        while (performance.now() < end) { const s = performance.now(); const r = await human.detect(image, config); ms.push(performance.now() - s); faces = r.face.length; }
        postMessage({ ms, info: faces, backend: human.tf.getBackend() });\`);
      const objects = start(\`
        const stage = await import('${url}/objects.js');
        const human = new Human(config); await human.init();
        const model = await human.tf.loadGraphModel('${url}/coco-ssd/model.json');
        const pixels = human.tf.browser.fromPixels(image);
        for (let i = 0; i < 2; i++) await stage.detectObjects(human.tf, model, pixels, stage.tilesFor(i, stage.DEFAULT_TILES_PER_CHECK));
        const ms = []; let seen = []; const end = performance.now() + ${seconds} * 1000;
        for (let i = 0; performance.now() < end; i++) { const s = performance.now(); const r = await stage.detectObjects(human.tf, model, pixels, stage.tilesFor(i, stage.DEFAULT_TILES_PER_CHECK)); ms.push(performance.now() - s); seen = r.filter((o) => o.confidence >= 0.5).map((o) => o.label); }
        postMessage({ ms, info: seen, backend: human.tf.getBackend() });\`);
      const [f, o] = await Promise.all([result(face), result(objects)]);
      return { faceMs: f.ms, objectMs: o.ms, faces: f.info, objectsSeen: o.info, seconds: ${seconds}, longTasksMs, backend: f.backend };
    })()`)) as PageTimings;
    const stats = (values: number[]) => ({
      p50: Math.round(percentile(values, 50)),
      p95: Math.round(percentile(values, 95)),
    });
    return [
      {
        where: `chromium (${t.backend}, 2 workers)`,
        frame: frame.name,
        threads: 2,
        objects: true,
        fps: Number((t.faceMs.length / t.seconds).toFixed(1)),
        fpsPerThread: Number((t.faceMs.length / t.seconds).toFixed(1)),
        objectChecksPerSecond: Number((t.objectMs.length / t.seconds).toFixed(1)),
        faceMs: stats(t.faceMs),
        objectMs: stats(t.objectMs),
        totalMs: stats(t.faceMs),
        mainThreadLongestTaskMs: Math.round(Math.max(0, ...t.longTasksMs)),
        facesSeen: t.faces,
        objectsSeen: t.objectsSeen,
      },
    ];
  } finally {
    await browser.close();
    server.close();
  }
}
