/** The customers engine: search, Customer 360, the timeline, and the shop's erase and export requests, consent per channel. */
import { consentHandlers } from '../api/consent';
import { customersHandlers } from '../api/customers';
import { defineEngine } from '../engine';

export const customersEngine = defineEngine({
  name: 'customers',
  handlers: { ...customersHandlers, ...consentHandlers },
});
