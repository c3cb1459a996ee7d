/**
 * The architecture rules (.dependency-cruiser.cjs, run in CI as `npm run depcheck`): the real tree keeps them, and
 * each rule really refuses a violation — a fixture tree breaks all five on purpose.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');

function violations(cwd: string): string[] {
  const run = spawnSync(
    depcruise,
    ['main', 'renderer', 'shared', '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const report = JSON.parse(run.stdout) as {
    summary: { violations: { rule: { name: string }; from: string; to: string }[] };
  };
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from}`);
}

describe('architecture rules', () => {
  it('hold for the app', () => {
    expect(violations(root)).toEqual([]);
  }, 60_000);

  it('refuse a cycle in main/, Electron in main/core, main/ in the renderer, either side in shared/ and I/O in a learner', () => {
    expect(violations(join(root, 'test', 'fixtures', 'architecture')).sort()).toEqual([
      'core-never-imports-electron: main/core/window.ts',
      'ml-learners-are-pure: main/core/ml/learners/impure.ts',
      'no-cycles-in-main: main/a.ts',
      'renderer-never-imports-main: renderer/page.ts',
      'shared-imports-neither-side: shared/helper.ts',
    ]);
  }, 60_000);
});
