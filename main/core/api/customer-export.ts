/** Handler for `customers.export`: the Customers page's filter → the CSV of every customer it lists. */
import { customersCsv } from '../customers/export';
import { handlers } from './registry';

export const customerExportHandlers = handlers({
  'customers.export': (input, ctx) => customersCsv(ctx, input),
});
