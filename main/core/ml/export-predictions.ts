/**
 * Every scored customer to a CSV a spreadsheet opens safely: profile id, the
 * email and phone they were first known by, churn score (at full precision,
 * so the model's ranking survives), predicted value,
 * segment and model version. Cells a spreadsheet would run as a formula get a
 * leading ' as in the import's rejected-rows file. Written beside the target
 * and renamed into place, so a half-written file never carries its name.
 */
import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { Database } from '../db/open';
import { escapeCells } from '../import/worker/import-job';
import { exportRows } from './predictions-read';

export const EXPORT_COLUMNS = [
  'profile_id',
  'email',
  'phone',
  'churn_score',
  'predicted_ltv',
  'segment',
  'model_version',
] as const;
const CHUNK_ROWS = 1000;

export function writePredictionsCsv(db: Database, brandId: number, path: string): { rows: number } {
  const partial = `${path}.partial`;
  const csv = (rows: unknown[][]) => Papa.unparse(rows, { escapeFormulae: escapeCells, newline: '\r\n' });
  let rows = 0;
  try {
    writeFileSync(partial, `\ufeff${csv([[...EXPORT_COLUMNS]])}\r\n`, { mode: 0o600 });
    let chunk: unknown[][] = [];
    const flush = () => {
      if (chunk.length > 0) appendFileSync(partial, `${csv(chunk)}\r\n`);
      chunk = [];
    };
    for (const row of exportRows(db, brandId)) {
      chunk.push([
        row.profileId,
        row.email ?? '',
        row.phone ?? '',
        // Full precision: rounding would tie customers the model told apart (issue 13).
        row.churnScore ?? '',
        row.ltvScore ?? '',
        row.segment ?? '',
        row.modelVersion ?? '',
      ]);
      rows += 1;
      if (chunk.length === CHUNK_ROWS) flush();
    }
    flush();
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return { rows };
}
