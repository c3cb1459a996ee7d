/**
 * `constintel export customers` in a real process on a real data file while `constintel serve` runs on the same
 * folder: the file is written (BOM, header, one row per customer), `--segment` picks the segment's customers (typed in
 * any case), `--json` prints { file, customers }, and a bad option is refused in words naming it, with exit 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../../main/core/paths';
import { ingestOne, tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { builtScript, type Served, serve } from '../../support/spawn';

const dir = tempDir('constintel-export-cli-');
let served: Served | undefined;

function cli(args: string[]) {
  const run = spawnSync(
    process.execPath,
    [builtScript('cli'), 'export', 'customers', ...args, '--data-dir', dir.path],
    {
      cwd: appRoot(),
      env: { ...process.env, CONSTINTEL_DATA_DIR: '' },
      encoding: 'utf8',
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  const shop = await testBackend({ dataDir: dir.path });
  try {
    const ids = ['ann', 'bob', 'cara'].map(
      (name, i) =>
        ingestOne(
          shop,
          ev({
            type: 'purchase',
            occurredAt: `2026-02-0${i + 1}T12:00:00Z`,
            identifiers: { email: `${name}@example.com` },
            payload: { total: 10 * (i + 1), currency: 'GBP', firstName: name },
          }),
        ).profileId as number,
    );
    const version = Number(
      shop.db.sqlite
        .prepare(
          `INSERT INTO model_version (brand_id, kind, method, metrics, artifact, training_rows, duration_ms, active, created_at)
           VALUES (1, 'scores', 'bgnbd', '{}', '{"asOf":0,"horizons":{"churnDays":90,"ltvDays":365}}', 3, 10, 1, 0)`,
        )
        .run().lastInsertRowid,
    );
    const insert = shop.db.sqlite.prepare(
      `INSERT INTO predictions (profile_id, brand_id, churn_score, ltv_score, segment, model_version, predicted_at)
       VALUES (?, 1, ?, 50, ?, ?, 0)`,
    );
    insert.run(ids[0], 0.9, 'At risk', version);
    insert.run(ids[1], 0.2, 'Loyal', version);
  } finally {
    await shop.close();
  }
  // The app running on the same folder: the export reads beside it.
  served = await serve(['serve', '--data-dir', dir.path, '--port', '0', '--ingest-port', '0']);
}, 60_000);

afterAll(async () => {
  await served?.stop();
  dir.remove();
});

describe('constintel export customers', () => {
  it('writes every customer while the app runs on the same folder, and says where', () => {
    const out = join(dir.path, 'all.csv');
    const run = cli(['--out', out]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`Wrote 3 customers to ${out}\n`);
    const lines = readFileSync(out, 'utf8').split('\r\n');
    expect(lines[0]?.startsWith('\ufeffCustomer number,Name,Email,Phone,Lifetime value')).toBe(true);
    expect(lines.filter((l) => l !== '')).toHaveLength(4);
    expect(lines.some((l) => l.includes('ann@example.com') && l.includes('90%') && l.includes('At risk'))).toBe(true);
  });

  it('--segment (any case) and --json: { file, customers } for that segment only', () => {
    const out = join(dir.path, 'at-risk.csv');
    const run = cli(['--out', out, '--segment', 'at risk', '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ file: out, customers: 1 });
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('ann@example.com');
    expect(text).not.toContain('bob@example.com');
  });

  it('refuses a bad option in words naming it, with exit 1, and writes nothing', () => {
    const out = join(dir.path, 'bad.csv');
    const run = cli(['--out', out, '--risk', 'extreme']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--risk: must be high, medium or low.');
    expect(existsSync(out)).toBe(false);
  });
});
