/**
 * A file's rows → events, in chunks of rows: the header checked against the preview's, rows with the wrong number
 * of cells rejected, each order's rows kept together. Runs in the reading thread (main/import-reader.ts), or in
 * the importing thread when that is not built.
 */
import type { ParsedEvent } from '../../../../shared/events';
import { ImportFileError, type ImportSettings, readRows } from './read-file';
import { type MappedRow, type Rejection, RowMapper } from './to-events';

/** Text a chunk of rows holds at most: rows of up to 1 MB must not make 1,000-row chunks of a gigabyte. */
const CHUNK_CHARS = 4 * 1024 * 1024;
/** A chunk of a file's rows as events, ready to be committed. */
export interface MappedChunk {
  events: ParsedEvent[];
  /**
   * Each event's payload as the JSON stored with it, written here: in the reading thread, beside the commits, rather
   * than in the thread that commits (the import's busier one).
   */
  payloads: string[];
  rejected: Rejection[];
  /** Rows read in this chunk (rejected ones included). */
  rows: number;
  /** Bytes of the file read so far. */
  bytesRead: number;
  /** Why reading stopped after this chunk (an unclosed quote, another encoding): the rows before it are good. */
  problem?: string;
}

/**
 * The file's rows → events, `chunkRows` rows at a time: the header checked against the preview's, rows with the
 * wrong number of cells rejected, each order's rows kept together (the mapper holds an order until the next).
 */
export async function* mapFile(
  path: string,
  settings: ImportSettings,
  now: number,
  chunkRows: number,
): AsyncGenerator<MappedChunk> {
  const mapper = new RowMapper(settings, new Date(now));
  let bytesRead = 0;
  let header: string[] | undefined;
  let batch: MappedRow[] = [];
  /** Rows with the wrong number of cells since the last chunk: rejected with the next one. */
  let misshapen: Rejection[] = [];
  const take = (last: boolean, problem?: string): MappedChunk => {
    const mapped = mapper.push(batch);
    const rest = last ? mapper.end() : { events: [], rejected: [] };
    const events = [...mapped.events, ...rest.events].map((e) => e.event);
    const chunk: MappedChunk = {
      events,
      payloads: events.map((event) => JSON.stringify(event.payload)),
      rejected: [...misshapen, ...mapped.rejected, ...rest.rejected],
      rows: batch.length + misshapen.length,
      bytesRead,
      ...(problem === undefined ? {} : { problem }),
    };
    batch = [];
    misshapen = [];
    return chunk;
  };
  let row = 1;
  /** Text in the rows gathered since the last chunk. */
  let chars = 0;
  try {
    for await (const rows of readRows(path, settings, (n) => {
      bytesRead += n;
    })) {
      for (const cells of rows) {
        for (const cell of cells) chars += cell.length;
        if (header === undefined) {
          header = cells.map((c) => c.trim());
          if (header.join('\u0001') !== settings.headers.join('\u0001')) {
            throw new Error('The file’s header row changed since it was previewed; open it again.');
          }
          continue;
        }
        row += 1;
        if (cells.length !== header.length) {
          // Cells shifted by a stray separator or quote: importing them would put values in the wrong columns.
          misshapen.push({
            row,
            cells,
            reason: `has ${cells.length} ${cells.length === 1 ? 'column' : 'columns'} where the header has ${header.length}`,
          });
        } else batch.push({ row, cells });
        if (batch.length + misshapen.length >= chunkRows || chars >= CHUNK_CHARS) {
          chars = 0;
          yield take(false);
        }
      }
    }
  } catch (error) {
    // A file that cannot be read on (an unclosed quote, another encoding): the rows read before it are good, and
    // are kept; importing the fixed file again adds the rest.
    if (error instanceof ImportFileError && header !== undefined) {
      yield take(true, error.message);
      return;
    }
    throw error;
  }
  yield take(true);
}
