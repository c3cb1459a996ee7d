/**
 * The customers export: the Customers page's own filter (search, sort, risk, segment, tag — the input of
 * `customers.search` without its paging) in, every customer it lists out, as a CSV the page saves as a download.
 */
import { z } from 'zod';
import { customersContract } from './customers';
import { command } from './define';

/** Exactly the page's filter: the same schema, so the export lists what the page lists (all of its pages). */
export const customerExportFilterSchema = customersContract['customers.search'].input.omit({
  offset: true,
  limit: true,
});
export type CustomerExportFilter = z.output<typeof customerExportFilterSchema>;

export const customerExportContract = {
  'customers.export': command(
    'Every customer the Customers page lists for this filter (all pages), as a CSV file to save: number, name, main email and phone, lifetime value, orders, last purchase, segment, churn risk, predicted value, journey stage and score, next best action.',
    customerExportFilterSchema,
    z.object({
      /** customers-YYYY-MM-DD.csv, today in the shop's time zone. */
      fileName: z.string(),
      /** The file's text: a byte-order mark, a header row, one row per customer (CRLF line ends). */
      csv: z.string(),
      customers: z.number().int(),
    }),
  ),
};
