/**
 * The customers export engine: only the `customers.export` command (its own engine so the export's files stay
 * apart from search and Customer 360; it reads them through customers/customer-search.ts).
 */
import { customerExportHandlers } from '../api/customer-export';
import { defineEngine } from '../engine';

export const customerExportEngine = defineEngine({
  name: 'customerExport',
  handlers: customerExportHandlers,
});
