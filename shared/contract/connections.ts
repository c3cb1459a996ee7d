/** Connections to Shopify (and later WhatsApp): where to point them, their secrets, and what they delivered. */
import { z } from 'zod';
import { command } from './define';

const shopifyConnectionSchema = z.object({
  brandId: z.number().int(),
  brandName: z.string(),
  shopDomain: z.string(),
  /** Whether a secret is saved; the secret itself is never sent back. */
  secretSaved: z.boolean(),
});

const whatsappConnectionSchema = z.object({
  /** Whether the Meta app secret (for X-Hub-Signature-256) is saved; never sent back. */
  appSecretSaved: z.boolean(),
  /** Whether the verify token (for Meta's GET handshake) is saved; never sent back. */
  verifyTokenSaved: z.boolean(),
  /** The shop's own WhatsApp numbers seen in deliveries (never customer identifiers). */
  businessNumbers: z.array(z.string()),
});

const connectionsSchema = z.object({
  shopify: z.array(shopifyConnectionSchema),
  whatsapp: whatsappConnectionSchema,
  /** The exact addresses to paste into Shopify and Meta, as this PC sees them (a tunnel's public address replaces the host). */
  urls: z.object({ shopify: z.string().nullable(), whatsapp: z.string().nullable() }),
});
export type Connections = z.output<typeof connectionsSchema>;

/** What became of a webhook delivery. */
export const DELIVERY_OUTCOMES = [
  'accepted',
  'duplicate',
  'bad_signature',
  'too_large',
  'invalid',
  'unknown_shop',
] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export const deliverySchema = z.object({
  id: z.number().int(),
  provider: z.string(),
  brandId: z.number().int().nullable(),
  topic: z.string().nullable(),
  outcome: z.enum(DELIVERY_OUTCOMES),
  detail: z.string().nullable(),
  receivedAt: z.string(),
  eventCount: z.number().int(),
});
export type Delivery = z.output<typeof deliverySchema>;

export const connectionsContract = {
  'connections.get': command('Connected stores and the webhook addresses.', z.object({}).strict(), connectionsSchema),
  'connections.saveShopify': command(
    "Connect a Shopify store (its myshopify.com domain and the app's client secret).",
    z
      .object({
        shopDomain: z.string().trim().min(1, 'is required').max(200),
        /** Leave out to keep the saved secret. */
        secret: z.string().trim().min(1).max(500).optional(),
        brandId: z.number().int().positive().optional(),
      })
      .strict(),
    connectionsSchema,
  ),
  'connections.saveWhatsApp': command(
    "Connect WhatsApp: the Meta app's secret and the verify token you type into Meta's webhook settings.",
    z
      .object({
        /** Leave out to keep the saved one. */
        appSecret: z.string().trim().min(1).max(500).optional(),
        verifyToken: z.string().trim().min(1).max(500).optional(),
      })
      .strict(),
    connectionsSchema,
  ),
  'connections.deliveries': command(
    'The last webhook deliveries with what became of each.',
    z.object({ limit: z.number().int().min(1).max(100).default(100) }).strict(),
    z.array(deliverySchema),
  ),
  'connections.testShopify': command(
    'Send a signed test order to this PC the way Shopify would, and report what happened.',
    z.object({ brandId: z.number().int().positive().optional() }).strict(),
    z.object({ status: z.number().int(), outcome: z.string(), detail: z.string() }),
  ),
};
