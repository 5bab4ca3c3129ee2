import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';

// In development the gateway (GraphQL, /api proxy) runs on :4000; in production it serves dist/ itself.
const gateway = 'http://127.0.0.1:4000';
const require = createRequire(import.meta.url);

/** The detector's model weights and tfjs wasm binaries, copied from their npm packages into the app. */
function detectorAssets(): Plugin {
  // Human's exports map hides package.json; its main entry sits in dist/, beside models/.
  const models = join(dirname(require.resolve('@vladmandic/human')), '..', 'models');
  const wasm = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const MODELS = ['blazeface', 'facemesh', 'iris'];
  // COCO-SSD for the object stage, extracted from its npm package by deploy/bootstrap.sh.
  const objectModel = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    'packages',
    'detector',
    'models',
    'coco-ssd',
  );
  return {
    name: 'detector-assets',
    writeBundle(options) {
      const out = options.dir ?? 'dist';
      mkdirSync(join(out, 'detector/models'), { recursive: true });
      mkdirSync(join(out, 'detector/wasm'), { recursive: true });
      for (const m of MODELS)
        for (const ext of ['json', 'bin'])
          cpSync(join(models, `${m}.${ext}`), join(out, 'detector/models', `${m}.${ext}`));
      if (!existsSync(join(objectModel, 'model.json')))
        throw new Error(`${objectModel} is missing the object model: run \`bash deploy/bootstrap.sh\``);
      cpSync(objectModel, join(out, 'detector/models/coco-ssd'), { recursive: true });
      for (const f of [
        'tfjs-backend-wasm.wasm',
        'tfjs-backend-wasm-simd.wasm',
        'tfjs-backend-wasm-threaded-simd.wasm',
      ])
        cpSync(join(wasm, f), join(out, 'detector/wasm', f));
    },
  };
}

export default defineConfig({
  plugins: [solid(), detectorAssets()],
  resolve: { alias: { '~': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': gateway, '/graphql': { target: gateway, ws: true } },
  },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4000 },
});
