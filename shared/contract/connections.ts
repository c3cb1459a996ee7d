/**
 * Connections to Shopify and WhatsApp (where to point them, their secrets, what they delivered) and the shop's public
 * address (the tunnel's https address), which Twilio's callbacks, inbound SMS and one-click unsubscribe are built on.
 */
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

const publicFeatureSchema = z.object({
  name: z.string(),
  on: z.boolean(),
  /** Why it is off, in the shop's words; null when on. */
  why: z.string().nullable(),
});

const publicAddressSchema = z.object({
  /** The saved https address, without a trailing slash; null when none is set. */
  url: z.string().nullable(),
  /** The addresses built on it (null without one): what to paste into Twilio, and where unsubscribe links lead. */
  twilioInboundSms: z.string().nullable(),
  twilioStatusCallback: z.string().nullable(),
  unsubscribeLinks: z.string().nullable(),
  /** The features that need it, each on or off with why. */
  features: z.array(publicFeatureSchema),
});
export type PublicAddress = z.output<typeof publicAddressSchema>;

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
  'connections.publicAddress': command(
    'The shop’s public address, the addresses built on it, and the features that need it (on, or off and why).',
    z.object({}).strict(),
    publicAddressSchema,
  ),
  'connections.savePublicAddress': command(
    'Save the shop’s public address (the https address of the tunnel to this PC); empty clears it.',
    z.object({ url: z.string().max(500, 'is longer than any web address') }).strict(),
    publicAddressSchema,
  ),
  'connections.checkPublicAddress': command(
    'Call the public address the way Twilio would and say whether it came back to this very ConstIntel.',
    z.object({}).strict(),
    z.object({ reached: z.boolean(), url: z.string(), detail: z.string() }),
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
