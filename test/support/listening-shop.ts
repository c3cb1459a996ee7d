/**
 * A backend listening on loopback with Shopify and WhatsApp connected and the event API's key read: what the ingest
 * tests that send over real HTTP start from.
 */
import type { Backend } from '../../main/core/backend';
import { testBackend } from './backend';

export interface ListeningShop {
  backend: Backend;
  /** The ingest listener's address. */
  base: string;
  /** The event API key. */
  key: string;
}

export async function listeningShop(
  dataDir: string,
  secrets: { shopDomain: string; shopifySecret: string; whatsappSecret: string },
): Promise<ListeningShop> {
  const backend = await testBackend({ dataDir, listen: true, uiPort: 0, ingestPort: 0 });
  await backend.call('settings.update', { defaultCountry: 'GB', currency: 'GBP' });
  await backend.call('connections.saveShopify', { shopDomain: secrets.shopDomain, secret: secrets.shopifySecret });
  await backend.call('connections.saveWhatsApp', { appSecret: secrets.whatsappSecret, verifyToken: 'verify' });
  return {
    backend,
    base: backend.runtime.ingest.url as string,
    key: (await backend.call('settings.apiKey', {})).apiKey,
  };
}
