import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
  guessNewline,
  MAX_COLUMNS,
  MAX_ROW_CHARS,
  type Newline,
  RowGuard,
  snippet,
} from '../../../../../main/core/import/file/row-guard';
import { mulberry32 } from '../../../../../main/core/ml/learners/random';

/** The text through the guard in pieces cut at the given sizes; what it hands on, in order. */
function through(guard: RowGuard, text: string, sizes: number[]): string[] {
  const out: string[] = [];
  let at = 0;
  let k = 0;
  while (at < text.length) {
    const size = sizes[k++ % sizes.length] ?? 1;
    out.push(guard.push(text.slice(at, at + size)));
    at += size;
  }
  out.push(guard.end());
  return out;
}

/** Where papaparse ends each row (its cursor after the row), given the newline. */
function papaRowEnds(text: string, delimiter: string, newline: Newline): number[] {
  const ends: number[] = [];
  Papa.parse<string[]>(text, {
    delimiter,
    newline,
    step: (results) => {
      ends.push(results.meta.cursor);
    },
  });
  return ends;
}

describe('RowGuard', () => {
  it('ends rows exactly where papaparse does, quotes and line breaks in cells included (random texts, random pieces)', () => {
    const random = mulberry32(20260314);
    const alphabet = ['a', 'b', ',', ';', '"', '"', '\n', '\r', '\r\n', ' ', '\t', '""'];
    for (let round = 0; round < 3000; round++) {
      const length = 1 + Math.floor(random() * 40);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const delimiter = random() < 0.5 ? ',' : random() < 0.5 ? ';' : '\t';
      const newline = guessNewline(text);
      const guard = new RowGuard(delimiter, newline);
      const sizes = Array.from({ length: 5 }, () => 1 + Math.floor(random() * 7));
      const pieces = through(guard, text, sizes);
      // Nothing lost, nothing added, nothing reordered.
      expect(pieces.join('')).toBe(text);
      // Each piece handed on ends at a row end papaparse agrees with (the last, at the end of the text).
      const ends = new Set(papaRowEnds(text, delimiter, newline));
      let at = 0;
      for (const piece of pieces.slice(0, -1)) {
        at += piece.length;
        if (piece !== '') expect(ends.has(at), JSON.stringify({ text, delimiter, newline, at })).toBe(true);
      }
      // And every row end papaparse sees before the last is one the guard saw too.
      const seen = new Set<number>();
      const again = new RowGuard(delimiter, newline);
      let offset = 0;
      for (const ch of text) {
        offset += ch.length;
        if (again.push(ch) !== '') seen.add(offset);
      }
      for (const end of ends) if (end < text.length) expect(seen.has(end), JSON.stringify({ text, end })).toBe(true);
    }
  });

  it('uses the newline papaparse would guess', () => {
    expect(guessNewline('a,b\r\nc,d\r\n')).toBe('\r\n');
    expect(guessNewline('a,b\nc,d\n')).toBe('\n');
    expect(guessNewline('a,b\rc,d\r')).toBe('\r');
    expect(guessNewline('a,"x\r\ny"\nc,d\n')).toBe('\n');
    expect(guessNewline('no line break')).toBe('\n');
  });

  it('stops at a line longer than 1 MB before holding more of it, keeping the rows before it', () => {
    const guard = new RowGuard(',', '\n');
    const handed = [guard.push('Receipt,Amount\nR1,5\nR2,'), guard.push('x'.repeat(600_000))];
    expect(guard.problem).toBeUndefined();
    handed.push(guard.push('x'.repeat(600_000)));
    expect(handed.join('')).toBe('Receipt,Amount\nR1,5\n');
    expect(guard.problem).toMatch(/^Line 3 is longer than 1 MB \(it starts “R2,x+…”\)/);
    expect(guard.problem?.length).toBeLessThan(400);
    expect(guard.push('more\n')).toBe('');
    expect(guard.end()).toBe('');
  });

  it('bounds a quote never closed, naming the line it opens on', () => {
    const guard = new RowGuard(',', '\r\n');
    guard.push('A,B\r\n1,"open\r\n');
    for (let i = 0; i < 200 && !guard.problem; i++) guard.push('2,3\r\n'.repeat(2000));
    expect(guard.problem).toMatch(/^The row starting on line 2 runs on for more than 1 MB: a quote mark/);
  });

  it('counts a row’s length across pieces and lets a long but legal row through', () => {
    const guard = new RowGuard(',', '\n');
    const row = `${'y'.repeat(MAX_ROW_CHARS - 1)}\n`;
    const out = through(guard, `H\n${row}Z\n`, [300_000]);
    expect(guard.problem).toBeUndefined();
    expect(out.join('')).toBe(`H\n${row}Z\n`);
  });

  it('stops at more than 2,000 columns, not counting separators inside quotes', () => {
    const wide = new RowGuard(';', '\n');
    expect(wide.push(`a${';'.repeat(MAX_COLUMNS - 1)}\nb${';'.repeat(MAX_COLUMNS)}\n`)).toBe(
      `a${';'.repeat(MAX_COLUMNS - 1)}\n`,
    );
    expect(wide.problem).toMatch(/^Line 2 has more than 2,000 columns \(it starts “b;;;/);
    const quoted = new RowGuard(';', '\n');
    quoted.push(`"${';'.repeat(5000)}";b\n`);
    expect(quoted.problem).toBeUndefined();
  });

  it('quotes at most 80 characters, control characters as spaces', () => {
    expect(snippet('short')).toBe('short');
    expect(snippet(`a\tb\r\nc${'z'.repeat(200)}`)).toMatch(/^a b cz+…$/);
    expect(snippet('q'.repeat(500))).toHaveLength(81);
  });
});
