import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { launchChromium } from '@proctor/chromium';
import { humanConfig } from '@proctor/detector';
import { ASSETS } from '@proctor/detector/node';
import { stackValue } from '@proctor/testkit';
import { percentile } from '../machine.ts';
import type { BenchFrame } from './frames.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.html': 'text/html',
};

/** Serves Human's browser build, the models and tfjs's wasm files the way the web app does (same origin). */
async function serveAssets(frame: BenchFrame) {
  const roots: Record<string, string> = {
    human: dirname(ASSETS.humanNodeWasm),
    models: ASSETS.modelDir,
    wasm: ASSETS.wasmDir,
  };
  const server = createServer((req, res) => {
    const [, root = '', ...rest] = (req.url ?? '/').split('?')[0]?.split('/') ?? [];
    if (root === 'frame.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(frame.jpeg);
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
  totalMs: number[];
  faceMs: number[];
  objectMs: number[];
  faces: number;
  backend: string;
}

/**
 * The browser's detector as the candidate's page runs it (Human on tfjs wasm, no GPU), timed frame by frame:
 * face pipeline alone, then object detection alone.
 */
export async function benchInChromium(frame: BenchFrame, frames: number) {
  const { server, url } = await serveAssets(frame);
  const browser = await launchChromium(stackValue('CHROMIUM_PATH'));
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const paths = { modelBasePath: `${url}/models/`, wasmPath: `${url}/wasm/` };
    const run = async (objectsOnly: boolean) => {
      const config = humanConfig(paths, objectsOnly);
      if (objectsOnly) Object.assign(config.face, { enabled: false });
      return page.evaluate(
        async ({ config, count }) => {
          const { default: Human } = await import(`${location.origin}/human/human.esm.js`);
          const human = new Human(config);
          await human.load();
          const image = await createImageBitmap(await (await fetch('/frame.jpg')).blob());
          for (let i = 0; i < 3; i++) await human.detect(image, config); // warm-up
          const t: PageTimings = {
            totalMs: [],
            faceMs: [],
            objectMs: [],
            faces: 0,
            backend: human.tf.getBackend(),
          };
          for (let i = 0; i < count; i++) {
            const started = performance.now();
            const result = await human.detect(image, config);
            t.totalMs.push(performance.now() - started);
            t.faceMs.push(result.performance.face ?? 0);
            t.objectMs.push(result.performance.object ?? 0);
            t.faces = result.face.length;
          }
          return t;
        },
        { config, count: objectsOnly ? Math.max(10, Math.floor(frames / 3)) : frames },
      );
    };
    const stats = (values: number[]) => ({
      p50: Math.round(percentile(values, 50)),
      p95: Math.round(percentile(values, 95)),
    });
    const rows = [];
    for (const objectsOnly of [false, true]) {
      const t = await run(objectsOnly);
      const mean = t.totalMs.reduce((a, b) => a + b, 0) / t.totalMs.length;
      rows.push({
        where: `chromium (${t.backend})`,
        frame: frame.name,
        threads: 1,
        objects: false,
        objectsOnly,
        fps: Number((1000 / mean).toFixed(1)),
        fpsPerThread: Number((1000 / mean).toFixed(1)),
        faceMs: objectsOnly ? null : stats(t.faceMs),
        objectMs: objectsOnly ? stats(t.objectMs) : null,
        totalMs: stats(t.totalMs),
        facesSeen: t.faces,
      });
    }
    return rows;
  } finally {
    await browser.close();
    server.close();
  }
}
