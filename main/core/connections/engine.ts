/** The connections engine: Shopify shops and the WhatsApp number, their secrets, and the test delivery. */
import { connectionsHandlers } from '../api/connections';
import { defineEngine } from '../engine';

export const connectionsEngine = defineEngine({ name: 'connections', handlers: connectionsHandlers });
