/**
 * The preview's list of the columns an import leaves out (the backend's `notImported`), in words beside the column
 * mapping: a greyed column alone is easy to miss, and nothing should be dropped without the shop knowing.
 */
import { formatNumber } from '../format';

/** The columns left out, named in words (not only greyed in the table), so none is dropped without the shop knowing. */
export function NotImported({ columns }: { columns: string[] }) {
  if (columns.length === 0) return null;
  return (
    <p className="notice small not-imported">
      <strong>
        Not imported ({formatNumber(columns.length)} {columns.length === 1 ? 'column' : 'columns'}):
      </strong>{' '}
      {columns.map((column) => `“${column}”`).join(', ')}. ConstIntel does not read{' '}
      {columns.length === 1 ? 'this column' : 'these columns'} as they are; to import one, choose what it means under
      its name below.
    </p>
  );
}
