/** The customers engine: search, Customer 360, the timeline, and the shop's erase and export requests. */
import { customersHandlers } from '../api/customers';
import { defineEngine } from '../engine';

export const customersEngine = defineEngine({ name: 'customers', handlers: customersHandlers });
