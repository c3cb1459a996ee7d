/**
 * Keeps a file's reading bounded in memory whatever the file: sits between
 * the decoder and papaparse and hands the parser complete rows only, holding
 * back the row still open. A row longer than MAX_ROW_CHARS or with more than
 * MAX_COLUMNS columns stops the reading there, with a short reason naming the
 * line (and at most SNIPPET_CHARS of it), before any more of it is held.
 *
 * Why here: papaparse cannot bound a row itself. It carries the unfinished
 * row from piece to piece, so a 300 MB line (or a quote mark never closed)
 * became one 300 MB string in the reading thread; its 64 MB heap limit then
 * aborted the whole app ("Reached heap limit"): a worker's heap limit only
 * stops the thread cleanly when the allocation that crosses it is small (Node
 * gives 16 MB of leeway), never for one huge string. Measured on a 300 MB
 * file whose second line is the 300 MB: the app aborted ~8 s into the import
 * and its preview took 4 minutes and 2.9 GB; with this guard both stop after
 * reading about 1 MB: the import fails in about a second and the app peaks
 * under 200 MB (huge-line.test.ts).
 *
 * Rows are told apart exactly as papaparse tells them (same newline — decided
 * once by `guessNewline` and given to papaparse —, a quote opening only at a
 * field's start, `""` inside quotes, a closing quote followed by optional
 * spaces then a separator or line break; any other quote leaves the field
 * open), so a line break inside a quoted cell (addresses, notes) is not the
 * end of a row, and a quote never closed is bounded too: papaparse's row is
 * never longer than the guard's. Limits count characters of the decoded text
 * (bytes, for plain ASCII): that is what papaparse holds. The one pass over
 * each character costs about 6 ms per MB (a Shopify-like 56 MB file: 0.34 s,
 * where papaparse takes 1.75 s on the same text), about 2% of the reading
 * thread's time (mapping rows into events dominates).
 */

/** A row this long (about 1 MB) is not a customers or sales export's: real ones have lines of a few hundred characters. */
export const MAX_ROW_CHARS = 1024 * 1024;
/** Real exports have a few dozen columns; Shopify's widest has about 80. */
export const MAX_COLUMNS = 2000;
/** How much of a bad line a message quotes. */
export const SNIPPET_CHARS = 80;

export type Newline = '\n' | '\r\n' | '\r';

/** The start of a text for a message: at most `max` characters, line breaks and control characters as spaces. */
export function snippet(text: string, max = SNIPPET_CHARS): string {
  const head = text.slice(0, max * 4).replace(/\p{Cc}+/gu, ' ');
  return head.length > max || text.length > max * 4 ? `${head.slice(0, max).trimEnd()}…` : head;
}

/**
 * The line break a text uses, decided as papaparse decides it (its guessLineEndings, on the first 1 MB with quoted
 * text left out), so that the guard and the parser, given the same newline, agree on where rows end.
 */
export function guessNewline(text: string): Newline {
  const head = text.slice(0, 1024 * 1024).replace(/"[\s\S]*?"/g, '');
  const r = head.split('\r');
  const n = head.split('\n');
  const nAppearsFirst = n.length > 1 && (n[0] as string).length < (r[0] as string).length;
  if (r.length === 1 || nAppearsFirst) return '\n';
  let withN = 0;
  for (const part of r) if (part[0] === '\n') withN++;
  return withN >= r.length / 2 ? '\r\n' : '\r';
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

// Where the scan is within a row.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Just after a quote inside a quoted field: a closing quote, or the first of `""`. */
const AFTER_QUOTE = 3;
/** Spaces after a closing quote, before the separator or line break that makes it one. */
const AFTER_QUOTE_SPACES = 4;

/** The characters String.prototype.trim() removes, which papaparse allows between a closing quote and a separator. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

export class RowGuard {
  /** Why reading stopped (a row too long or too wide); nothing more is handed on after it. */
  problem: string | undefined;
  /** Complete rows handed on so far. */
  rows = 0;
  private readonly delimiter: number;
  private readonly newline: Newline;
  private state = FIELD_START;
  /** The open row's text from earlier pieces. */
  private held = '';
  private rowChars = 0;
  private columns = 1;
  /** Line (1-based, as a text editor counts) the scan is on, and the one the open row started on. */
  private line = 1;
  private rowLine = 1;
  private previousCr = false;

  constructor(delimiter: string, newline: Newline) {
    if (delimiter.length !== 1) throw new Error('The separator must be one character.');
    this.delimiter = delimiter.charCodeAt(0);
    this.newline = newline;
  }

  /** The complete rows the text finishes (with what was held back before them); the row still open is held back. */
  push(text: string): string {
    if (this.problem !== undefined || text === '') return '';
    const delimiter = this.delimiter;
    // A line ends at this character (after a CR, for CRLF).
    const breakChar = this.newline === '\r' ? CR : LF;
    const afterCr = this.newline === '\r\n';
    const length = text.length;
    let state = this.state;
    let columns = this.columns;
    let line = this.line;
    let previousCr = this.previousCr;
    /** Where the open row starts in `text`, and its characters before that (held from earlier pieces). */
    let rowStart = 0;
    let carried = this.rowChars;
    /** Just past the last complete row in `text`. */
    let complete = 0;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      const lineBreak = c === breakChar && (!afterCr || previousCr);
      if (afterCr) previousCr = c === CR;
      if (lineBreak) line++;
      if (state === QUOTED) {
        if (c === QUOTE) state = AFTER_QUOTE;
      } else if (lineBreak) {
        // The end of a row.
        complete = i + 1;
        rowStart = i + 1;
        carried = 0;
        this.rows++;
        this.rowLine = line;
        state = FIELD_START;
        columns = 1;
        continue;
      } else if (c === delimiter) {
        state = FIELD_START;
        if (++columns > MAX_COLUMNS) return this.stop(text, complete, carried > 0 ? -1 : rowStart, line, 'columns');
      } else if (state === FIELD_START) {
        state = c === QUOTE ? QUOTED : UNQUOTED;
      } else if (state === AFTER_QUOTE) {
        // `""` is a quote in the cell; spaces may come before the separator; anything else leaves the field open.
        state = c === QUOTE ? QUOTED : isSpace(c) ? AFTER_QUOTE_SPACES : QUOTED;
      } else if (state === AFTER_QUOTE_SPACES) {
        if (!isSpace(c)) state = c === QUOTE ? AFTER_QUOTE : QUOTED;
      }
      if (carried + i + 1 - rowStart > MAX_ROW_CHARS)
        return this.stop(text, complete, carried > 0 ? -1 : rowStart, line, 'long');
    }
    this.state = state;
    this.rowChars = carried + length - rowStart;
    this.columns = columns;
    this.line = line;
    this.previousCr = previousCr;
    const rows = complete === 0 ? '' : this.held + text.slice(0, complete);
    if (complete > 0) this.held = '';
    this.held += text.slice(complete);
    return rows;
  }

  /** The last row, when the text ends without a line break. */
  end(): string {
    if (this.problem !== undefined) return '';
    const rest = this.held;
    this.held = '';
    if (rest !== '') this.rows++;
    return rest;
  }

  private stop(text: string, complete: number, rowStart: number, line: number, why: 'long' | 'columns'): string {
    const start = snippet(rowStart < 0 ? this.held + text.slice(0, SNIPPET_CHARS * 4) : text.slice(rowStart));
    const first = this.rowLine;
    this.problem =
      why === 'columns'
        ? `Line ${first} has more than ${MAX_COLUMNS.toLocaleString('en')} columns (it starts “${start}”); a customers or sales export has a few dozen. Check the separator chosen for the file, or that it is the right file.`
        : first === line
          ? `Line ${first} is longer than 1 MB (it starts “${start}”); a customers or sales export has lines of a few hundred characters, so this does not look like one. Check that it is the right file, or open it in a spreadsheet and save it as CSV again.`
          : `The row starting on line ${first} runs on for more than 1 MB: a quote mark (") in it is probably never closed (it starts “${start}”). Fix that row in a spreadsheet or text editor and import the file again.`;
    const rows = complete === 0 ? '' : this.held + text.slice(0, complete);
    this.held = '';
    return rows;
  }
}
