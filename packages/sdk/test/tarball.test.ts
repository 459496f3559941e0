/**
 * The packed tarball works as a user installs it: built, packed with pnpm (offline),
 * unpacked into a fresh project's node_modules, and used from ESM and CommonJS with no
 * other package present (the SDK has no runtime dependencies).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const pnpm = (args: string[], cwd: string) => run('npx', ['-y', 'pnpm@10.34.9', ...args], { cwd });

/** A script that talks to a fake server through a custom fetch: no network needed. */
const USE = (load: string) => `${load}
const seen = [];
const fetch = async (url, init) => {
  seen.push([init.method, String(url), new Headers(init.headers).get('authorization')]);
  return new Response(JSON.stringify({ data: [{ id: 's1', name: 'Support' }], nextCursor: null }), { headers: { 'Content-Type': 'application/json' } });
};
const atrium = new sdk.Atrium({ apiKey: 'atr_sk_x', baseURL: 'http://atrium.test', fetch });
const names = [];
for await (const space of atrium.spaces.list()) names.push(space.name);
console.log(JSON.stringify({ names, seen, widget: typeof widget.AtriumWidgetClient, notFound: new sdk.NotFoundError(404, {}, undefined, undefined) instanceof sdk.APIError }));
`;

describe('the packed tarball', () => {
  let project: string;

  beforeAll(async () => {
    await pnpm(['run', 'build'], PACKAGE_DIR);
    project = await mkdtemp(join(tmpdir(), 'atrium-sdk-tarball-'));
    await pnpm(['pack', '--pack-destination', project], PACKAGE_DIR);
    const tarball = (await readdir(project)).find((f) => f.endsWith('.tgz'))!;
    const target = join(project, 'node_modules', '@atrium', 'sdk');
    await mkdir(target, { recursive: true });
    await run('tar', ['-xzf', join(project, tarball), '-C', target, '--strip-components=1']);
    await writeFile(join(project, 'esm.mjs'), USE("import * as sdk from '@atrium/sdk';\nimport * as widget from '@atrium/sdk/widget';"));
    await writeFile(
      join(project, 'cjs.cjs'),
      `(async () => {\n${USE("const sdk = require('@atrium/sdk');\nconst widget = require('@atrium/sdk/widget');")}\n})();`,
    );
  }, 120_000);
  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('holds only the build, the README and package.json, with no dependencies', async () => {
    const files = await readdir(join(project, 'node_modules', '@atrium', 'sdk'));
    expect(files.sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(pkg).not.toHaveProperty('dependencies');
    expect(pkg).not.toHaveProperty('peerDependencies');
  });

  it.each(['esm.mjs', 'cjs.cjs'])('works from %s', async (script) => {
    const { stdout } = await run(process.execPath, [script], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({
      names: ['Support'],
      seen: [['GET', 'http://atrium.test/api/v1/spaces', 'Bearer atr_sk_x']],
      widget: 'function',
      notFound: true,
    });
  });
});
