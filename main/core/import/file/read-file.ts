/**
 * Reading a file: recognise it from its first 64 KB, then stream it (never held whole in memory) through the
 * decoder, the row guard (row-guard.ts: no line over 1 MB or 2,000 columns) and papaparse, in batches of rows.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import Papa from 'papaparse';
import { AppError } from '../../../../shared/contract/errors';
import {
  AMBIGUOUS_DATES_WARNING,
  columnCells,
  completeLines,
  decodeSample,
  detectDelimiter,
  detectEncoding,
  missingColumnWarnings,
  recognize,
  rolesFor,
} from './recognize';
import { guessNewline, MAX_ROW_CHARS, type Newline, RowGuard } from './row-guard';
import type { ColumnRole, DateOrder, Delimiter, Encoding, FormatId, Recognition } from './types';
import { detectDateOrder } from './values';

export const SAMPLE_BYTES = 64 * 1024;
/**
 * Enough bytes to hold a whole first line of MAX_ROW_CHARS characters in any of the encodings read (UTF-8 takes at
 * most 4 bytes for a character, and such a character counts 2): read only when the first 64 KB end inside line 1.
 */
const LONG_HEADER_BYTES = MAX_ROW_CHARS * 4 + 16;
/** What the newline is guessed from (papaparse guesses from its first megabyte too). */
const NEWLINE_SAMPLE_BYTES = 1024 * 1024;
/** The date order is judged from up to this many dates from the top of the file (all of them in a smaller file)… */
export const DATE_SAMPLE_ROWS = 10_000;
/** …read within this many bytes (10,000 rows of a till export are 1–3 MB). */
const DATE_SAMPLE_BYTES = 4 * 1024 * 1024;
/** What the shop may change in the preview (or a preset / the CLI sets). */
export interface ImportChoices {
  format?: FormatId;
  roles?: ColumnRole[];
  dateOrder?: DateOrder;
  decimalComma?: boolean;
  delimiter?: Delimiter;
  encoding?: Encoding;
  /** Country for phone numbers written without one (else the shop's default). */
  defaultCountry?: string;
}

export interface ImportSettings extends Recognition {
  defaultCountry: string;
}

/** A file that cannot be read as it is: the shop is told why (a validation error on every transport). */
export class ImportFileError extends AppError {
  constructor(message: string) {
    super('validation', message);
  }
}

/** The file's first `bytes` bytes (fewer when it is shorter). */
function readHead(path: string, bytes: number, name = basename(path)): Buffer {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(bytes);
      return head.subarray(0, readSync(fd, head, 0, bytes, 0));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new ImportFileError(`Cannot read ${name}: ${(error as Error).message}`);
  }
}

/**
 * The complete rows of the file's head, checked by the row guard: a header line over 1 MB or 2,000 columns is
 * refused here, before recognition (which needs the whole header row) and before any import starts.
 */
function guardedSample(
  path: string,
  head: Buffer,
  encoding: Encoding,
  bom: boolean,
  delimiter: Delimiter | undefined,
): string {
  const fileBytes = statSync(path).size;
  for (let bytes = head.length; ; ) {
    const sample = decodeSample(head, encoding, bom);
    const guard = new RowGuard(
      delimiter ?? detectDelimiter(sample.split(/\r?\n|\r/, 1)[0] ?? ''),
      guessNewline(sample),
    );
    const rows = guard.push(sample);
    if (guard.rows === 0 && guard.problem) throw new ImportFileError(guard.problem);
    // The whole file, or at least its header row: recognise from that.
    if (bytes >= fileBytes) return rows + guard.end();
    if (guard.rows > 0 || bytes >= LONG_HEADER_BYTES) return rows === '' ? sample : rows;
    // The first 64 KB end inside the header row: read on until it ends (or proves too long).
    bytes = LONG_HEADER_BYTES;
    head = readHead(path, bytes);
  }
}

/**
 * The date order from the first DATE_SAMPLE_ROWS dates of the file (all of them in a smaller one), not only the
 * recognition sample's: a till export whose first weeks are all 1–12 of the month reads either way there, and its
 * 13th of the month may come hundreds of rows later.
 */
function judgeDates(
  path: string,
  head: Buffer,
  sample: string,
  encoding: Encoding,
  bom: boolean,
  delimiter: Delimiter,
  roles: ColumnRole[],
  name: string,
): { order: DateOrder; ambiguous: boolean } {
  const more = statSync(path).size > head.length;
  const text = more ? decodeSample(readHead(path, DATE_SAMPLE_BYTES, name), encoding, bom) : sample;
  const rows = Papa.parse<string[]>(completeLines(text), { delimiter, header: false, skipEmptyLines: 'greedy' }).data;
  return detectDateOrder(columnCells(rows.slice(1, DATE_SAMPLE_ROWS + 1), roles)(['date', 'datetime']));
}

/** What to do with a file that is not a table of text, by its first bytes (and the name the shop gave it). */
export function notATable(head: Buffer, name: string): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  const asCsv = 'export your sales or customers as CSV from your till or shop system and drop that file here';
  if (starts(0x25, 0x50, 0x44, 0x46)) return `${name} is a PDF, not a table ConstIntel can read: ${asCsv}.`;
  if (starts(0xd0, 0xcf, 0x11, 0xe0))
    return `${name} is an old Excel workbook (.xls): open it in Excel and choose File → Save As → CSV UTF-8, then drop the CSV file here.`;
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) {
    if (ext === 'xlsx' || ext === 'xlsm')
      return `${name} is an Excel workbook: ConstIntel reads CSV files. In Excel choose File → Save As → CSV UTF-8 (one sheet at a time), then drop the CSV file here.`;
    if (ext === 'numbers')
      return `${name} is an Apple Numbers file: choose File → Export To → CSV in Numbers, then drop the CSV file here.`;
    if (ext === 'ods')
      return `${name} is a spreadsheet (.ods): save it as CSV (File → Save As → Text CSV), then drop the CSV file here.`;
    return `${name} is a compressed (zip) file: unzip it and drop the CSV file that is inside.`;
  }
  if (starts(0x89, 0x50, 0x4e, 0x47) || starts(0xff, 0xd8, 0xff) || starts(0x47, 0x49, 0x46, 0x38))
    return `${name} is a picture, not a table ConstIntel can read: ${asCsv}.`;
  return null;
}

/**
 * The file's first bytes, recognised, with the shop's choices applied. `name` is the file's name as the shop knows
 * it (an upload is kept under a made-up name): every message names that.
 */
export function inspectFile(
  path: string,
  choices: ImportChoices,
  defaultCountry: string,
  name = basename(path),
): ImportSettings {
  const head = readHead(path, SAMPLE_BYTES, name);
  if (head.length === 0) throw new ImportFileError(`${name} is empty: there is nothing in it to import.`);
  const refused = notATable(head, name);
  if (refused) throw new ImportFileError(refused);
  const detected = detectEncoding(head);
  const encoding = choices.encoding ?? detected.encoding;
  const bom = detected.bom && (choices.encoding === undefined || choices.encoding === detected.encoding);
  const sample = guardedSample(path, head, encoding, bom, choices.delimiter);
  let recognition: Recognition;
  try {
    recognition = recognize(sample, encoding, bom, choices.delimiter);
  } catch (error) {
    throw new ImportFileError(`${name}: ${(error as Error).message}`);
  }
  const format = choices.format ?? recognition.format;
  const roles =
    choices.roles ?? (format === recognition.format ? recognition.roles : rolesFor(format, recognition.headers));
  if (roles.length !== recognition.headers.length) {
    throw new ImportFileError(
      `The mapping has ${roles.length} columns but the file has ${recognition.headers.length}.`,
    );
  }
  const dates = judgeDates(path, head, sample, encoding, bom, choices.delimiter ?? recognition.delimiter, roles, name);
  // Warnings as they stand after the shop's choices (a column chosen, the date order settled).
  const warnings = [
    ...(dates.ambiguous && choices.dateOrder === undefined ? [AMBIGUOUS_DATES_WARNING] : []),
    ...missingColumnWarnings(format, roles),
  ];
  return {
    ...recognition,
    format,
    roles,
    warnings,
    dateOrder: choices.dateOrder ?? dates.order,
    dateAmbiguous: dates.ambiguous,
    decimalComma: choices.decimalComma ?? recognition.decimalComma,
    defaultCountry: choices.defaultCountry ?? defaultCountry,
  };
}

/**
 * Bytes → text in the file's encoding (a byte-order mark is dropped), counting bytes for progress, and handed on
 * through the row guard: complete rows only, and nothing more once a row is too long or too wide (the guard's
 * problem says why; `onStop` stops the file being read on). With `truncated`, the file is read only in part: the
 * row cut off at its end is dropped.
 */
function decoder(
  encoding: Encoding,
  onBytes: (n: number) => void,
  guard: RowGuard,
  onStop: () => void,
  truncated: boolean,
): Transform {
  // UTF-8 is decoded strictly: bytes that are not UTF-8 further into the file stop the import with the reason,
  // rather than turning names into "Zo�" (the encoding was judged from the file's beginning only).
  const text = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  let read = 0;
  return new Transform({
    // Text goes on as strings, not re-encoded to bytes: papaparse reads strings. One piece waits at most, so the
    // file is read only as fast as rows are handled (memory stays flat, and bytes read is honest progress).
    readableObjectMode: true,
    readableHighWaterMark: 1,
    transform(chunk: Buffer, _enc, done) {
      // Stopped at a bad row: what was still on its way is dropped.
      if (guard.problem !== undefined) {
        done();
        return;
      }
      onBytes(chunk.length);
      let decoded: string;
      try {
        decoded = text.decode(chunk, { stream: true });
      } catch {
        done(
          new ImportFileError(
            `The file is not UTF-8 text after its first ${Math.round(read / 1024)} KB. Choose the text encoding it was saved in (for example Windows / Western European) in the preview, or with the import settings, and import again.`,
          ),
        );
        return;
      }
      read += chunk.length;
      const rows = guard.push(decoded);
      if (guard.problem === undefined) {
        done(null, rows === '' ? undefined : rows);
        return;
      }
      // The rows before the bad one go on to the parser, then the text ends there.
      if (rows !== '') this.push(rows);
      this.push(null);
      onStop();
      done();
    },
    flush(done) {
      if (guard.problem !== undefined) {
        done();
        return;
      }
      // A file read in part may end inside a character, as inside a row: both are dropped.
      const rows = truncated ? '' : guard.push(text.decode()) + guard.end();
      done(null, rows === '' ? undefined : rows);
    },
  });
}

/** The line break papaparse would guess from the file's beginning, worked out once so the guard agrees with it. */
function fileNewline(path: string, encoding: Encoding): Newline {
  return guessNewline(new TextDecoder(encoding).decode(readHead(path, NEWLINE_SAMPLE_BYTES), { stream: true }));
}

/**
 * The file's rows, as arrays of cells, in batches as papaparse parses each piece of the file (the header row
 * first). Parsing pauses while a batch is being handled, so memory stays at a few pieces of the file (and a row
 * at 1 MB: a longer one, or one of more than 2,000 columns, ends the reading with an ImportFileError saying
 * which line, after the rows before it). With `prefixBytes`, only that much of the file is read (the preview).
 */
export async function* readRows(
  path: string,
  settings: Pick<ImportSettings, 'encoding' | 'delimiter'>,
  onBytes: (n: number) => void,
  options: { prefixBytes?: number } = {},
): AsyncGenerator<string[][]> {
  const newline = fileNewline(path, settings.encoding);
  const guard = new RowGuard(settings.delimiter, newline);
  const prefix = options.prefixBytes;
  const truncated = prefix !== undefined && statSync(path).size > prefix;
  const source = createReadStream(path, {
    highWaterMark: 256 * 1024,
    ...(prefix === undefined ? {} : { end: prefix - 1 }),
  });
  const stop = () => {
    source.unpipe();
    source.destroy();
  };
  const text = source.pipe(decoder(settings.encoding, onBytes, guard, stop, truncated));
  source.on('error', (error) => text.destroy(error));
  const batches: string[][][] = [];
  let finished = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let parser: Papa.Parser | undefined;
  let rowsBefore = 0;
  Papa.parse<string[]>(text as unknown as File, {
    delimiter: settings.delimiter,
    newline,
    skipEmptyLines: 'greedy',
    chunk: (results, handle) => {
      parser = handle;
      // Papaparse's pause stops its parser but not the stream feeding it: stop that too.
      handle.pause();
      text.pause();
      batches.push(results.data);
      // An unclosed quote swallows everything after it into one cell: stop rather than import that.
      const quote = results.errors.find((e) => e.type === 'Quotes');
      if (quote) {
        failure = new ImportFileError(
          `A quote mark (") near row ${rowsBefore + (quote.row ?? 0) + 1} is never closed, so the rest of the file cannot be read reliably. Fix that row in a spreadsheet or text editor and import the file again (rows already imported are skipped).`,
        );
      }
      rowsBefore += results.data.length;
      wake?.();
    },
    complete: () => {
      finished = true;
      wake?.();
    },
    error: (error: unknown) => {
      failure = error;
      wake?.();
    },
  });
  text.on('error', (error) => {
    failure = error;
    wake?.();
  });
  try {
    for (;;) {
      const batch = batches.shift();
      if (batch) {
        yield batch;
        if (failure) throw failure;
        if (batches.length === 0 && !finished) {
          parser?.resume();
          text.resume();
        }
        continue;
      }
      if (failure) throw failure;
      if (finished) {
        if (guard.problem !== undefined) throw new ImportFileError(guard.problem);
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    if (!finished) parser?.abort();
    source.destroy();
    text.destroy();
  }
}
