/**
 * The package as a user installs it: `npm pack` of the built repo, installed offline into a scratch project, then a
 * typed TypeScript script (compiled with skipLibCheck false) and a CommonJS `require('kairos')` script run against it.
 * The scratch project's node_modules is a hard-linked copy of the repo's (nothing is downloaded or rebuilt); only
 * npm's hidden lockfile, which npm rewrites in place, is a real copy.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../src/testing/temp-dir.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; peerDependencies: Record<string, string>;
};

let dir: TempDir;
let app: string;
let packed: { path: string }[];
let failed = false;

beforeAll(async () => {
  dir = makeTempDir('kairos-pack-');
  // dist/ is already built by the test setup; --ignore-scripts keeps prepack from building it again.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir.path], { cwd: ROOT, timeout: 60_000 });
  packed = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files;
  app = join(dir.path, 'app');
  await linkDependencies(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module', dependencies: { ...pkg.dependencies, ...pkg.devDependencies } }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir.path, `kairos-${pkg.version}.tgz`)], { cwd: app, timeout: 90_000 });
}, 180_000);

afterAll(() => dir?.cleanup(failed));

/** The repo's installed dependencies in `target/node_modules`: hard links (a copy where links cannot be made). */
async function linkDependencies(target: string): Promise<void> {
  const from = join(ROOT, 'node_modules');
  const to = join(target, 'node_modules');
  mkdirSync(target, { recursive: true });
  try {
    await run('cp', ['-al', from, to], { timeout: 60_000 });
  } catch {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  }
  // npm rewrites its hidden lockfile in place, which would change the repo's through the hard link: unlink it.
  const hidden = join(to, '.package-lock.json');
  if (existsSync(hidden)) {
    rmSync(hidden);
    copyFileSync(join(from, '.package-lock.json'), hidden);
  }
}

function onFailure(): void {
  failed = true;
}

it('ships dist, LICENSE, the README and the docs it links to; no tests and no benchmark code', () => {
  try {
    const files = new Set(packed.map((f) => f.path));
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/testing/index.js']) expect(files, f).toContain(f);
    expect([...files].some((f) => f.startsWith('dist/driver/sqlite/migrations/'))).toBe(true);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const [, link] of readme.matchAll(/\]\(((?:docs|bench)\/[^)#]+)/g)) expect(files, `README links ${link}`).toContain(link);
    expect([...files].filter((f) => f.startsWith('test/') || (f.startsWith('bench/') && f !== 'bench/RESULTS.md') || f.endsWith('.test.ts'))).toEqual([]);
  } catch (error) {
    onFailure();
    throw error;
  }
});

it('every package the published types import is a dependency (or its @types package is), never a devDependency', () => {
  try {
    const imported = new Set<string>();
    for (const f of packed.filter((p) => p.path.startsWith('dist/') && p.path.endsWith('.d.ts'))) {
      const text = readFileSync(join(app, 'node_modules/kairos', f.path), 'utf8');
      for (const [, spec] of text.matchAll(/(?:from |import\()'([^'.][^']*)'/g)) {
        if (spec === undefined || spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    expect(imported.size).toBeGreaterThan(0);
    const provided = { ...pkg.dependencies, ...pkg.peerDependencies };
    const missing = [...imported].filter((name) => !(name in provided) || (`@types/${name}` in pkg.devDependencies));
    expect(missing).toEqual([]);
  } catch (error) {
    onFailure();
    throw error;
  }
});

it('a typed TypeScript script compiles against the installed package with skipLibCheck false, and runs', async () => {
  try {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], types: ['node'], strict: true, skipLibCheck: false, outDir: 'out' },
      include: ['app.ts'],
    }));
    writeFileSync(join(app, 'app.ts'), `
import { Kairos, defineQueue, type JobDetail } from 'kairos';
import { z } from 'zod';

const resize = defineQueue<{ width: number }, { area: number }>('resize');
const mail = defineQueue('mail', { schema: z.object({ to: z.string().email() }) });

const kairos = await Kairos.open({ store: 'sqlite:' + process.argv[2] });
kairos.handle(resize, async (job, ctx) => {
  ctx.progress(50);
  ctx.log('resizing');
  return { area: job.payload.width ** 2 };
});
await kairos.start();
const done = new Promise<void>((resolve) => kairos.once('job:completed', () => resolve()));
const { id } = await kairos.enqueue(resize, { width: 3 });
await done;
const rejected = await kairos.enqueue(mail, { to: 'not-an-address' }).then(() => 'stored', (e: { code: string }) => e.code);
const job: JobDetail<{ width: number }, { area: number }> | null = await kairos.queue(resize).get(id);
console.log(JSON.stringify({ area: job?.result?.area, progress: job?.progress, logs: job?.attempts[0]?.logs.map((l) => l.line), rejected }));
await kairos.close();
`);
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app, timeout: 60_000 });
    const { stdout } = await run(process.execPath, [join(app, 'out/app.js'), join(app, 'typed.db')], { cwd: app, timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ area: 9, progress: 50, logs: ['resizing'], rejected: 'PAYLOAD_REJECTED' });
  } catch (error) {
    onFailure();
    throw error;
  }
}, 120_000);

it('require(\'kairos\') works from CommonJS, and the installed bin runs', async () => {
  try {
    writeFileSync(join(app, 'app.cjs'), `
const { Kairos } = require('kairos');
(async () => {
  const kairos = await Kairos.open({ store: 'sqlite:' + process.argv[2] });
  kairos.handle('q', async (job) => job.payload.n + 1);
  await kairos.start();
  const done = new Promise((resolve) => kairos.once('job:completed', resolve));
  await kairos.enqueue('q', { n: 41 });
  const event = await done;
  console.log(JSON.stringify({ result: event.result }));
  await kairos.close();
})();
`);
    const { stdout, stderr } = await run(process.execPath, [join(app, 'app.cjs'), join(app, 'cjs.db')], { cwd: app, timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ result: 42 });
    expect(stderr).toBe('');
    const version = await run(join(app, 'node_modules/.bin/kairos'), ['--version'], { cwd: app, timeout: 30_000 });
    expect(version.stdout.trim()).toBe(pkg.version);
  } catch (error) {
    onFailure();
    throw error;
  }
}, 60_000);
