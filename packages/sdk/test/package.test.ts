/**
 * What the published package promises beyond its behaviour: size budgets (min+gzip,
 * everything imported) and a public surface that changes only on purpose.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

interface SizeResult {
  name: string;
  passed: boolean;
  size: number;
  sizeLimit: number;
}

describe('the package', () => {
  it('stays within its size budgets (main ≤ 10 KB, widget ≤ 5 KB)', async () => {
    const { stdout } = await run(bin('size-limit'), ['--json'], { cwd: PACKAGE_DIR }).catch((error: { stdout?: string }) => ({
      stdout: error.stdout ?? '[]',
    }));
    const results = JSON.parse(stdout) as SizeResult[];
    expect(results.map((r) => r.name)).toEqual([
      '@atrium/sdk (everything, min+gzip)',
      '@atrium/sdk/widget (everything, min+gzip)',
      '@atrium/sdk: only the client and its errors (min+gzip)',
    ]);
    for (const result of results) expect(result.size, result.name).toBeLessThanOrEqual(result.sizeLimit);
    expect(results[0]!.sizeLimit).toBe(10_000);
    expect(results[1]!.sizeLimit).toBe(5_000);
  });

  it('has the public API of the committed report (api/*.api.md; `pnpm --filter @atrium/sdk api-report` updates it)', async () => {
    const result = await run('npx', ['-y', 'pnpm@10.34.9', 'run', 'check:api'], { cwd: PACKAGE_DIR }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, output: `${error.stdout}${error.stderr}` }),
    );
    expect(result.output).not.toMatch(/API report (file )?(has )?changed|Warning/i);
    expect(result.code, result.output).toBe(0);
  }, 60_000);
});
