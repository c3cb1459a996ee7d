/**
 * Message templates the shop writes once and sends to many: a body with fields (`{{first_name}}`, `{{shop_name}}`,
 * `{{recommended_product}}`, `{{last_product}}`, `{{unsubscribe_link}}`), a subject for email, and for WhatsApp the
 * approved template Meta knows (name, language, category, and which field fills each of its body parameters), used
 * automatically outside the customer's 24-hour window. A field with no value for a customer uses the shop's
 * fallback text, so a sent message never shows `{{…}}`.
 */
import { z } from 'zod';
import { command } from './define';

export const TEMPLATE_FIELDS = [
  'first_name',
  'shop_name',
  'recommended_product',
  'last_product',
  'unsubscribe_link',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

export const TEMPLATE_CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

export const approvedTemplateSchema = z.object({
  /** The name the template has in Meta's WhatsApp Manager (lower case, digits and _). */
  name: z
    .string()
    .trim()
    .min(1, 'The approved template needs its name as Meta shows it')
    .max(512)
    .regex(/^[a-z0-9_]+$/, 'An approved template name has only lower-case letters, digits and _ (as in Meta)'),
  /** Its language code in Meta: en, en_GB, es_MX… */
  language: z
    .string()
    .trim()
    .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'The language is a code such as en, en_GB or pt_BR, as Meta shows it'),
  category: z.enum(['MARKETING', 'UTILITY']),
  /** Which field fills each body parameter ({{1}}, {{2}}…), in order: field names such as first_name. */
  parameters: z.array(z.string().trim()).max(20, 'At most 20 parameters'),
});
export type ApprovedTemplate = z.output<typeof approvedTemplateSchema>;

const templateFields = {
  name: z.string().trim().min(1, 'Give the template a name').max(80, 'A name can be at most 80 characters'),
  channel: z.enum(TEMPLATE_CHANNELS),
  /** Email only: may hold fields too. */
  subject: z.string().trim().max(200, 'A subject can be at most 200 characters').nullable().default(null),
  body: z.string().trim().min(1, 'Write the message').max(4096, 'A message can be at most 4,096 characters'),
  /** WhatsApp only: the approved template sent outside the 24-hour window. */
  whatsapp: approvedTemplateSchema.nullable().default(null),
};

export const templateSchema = z.object({
  id: z.number().int().positive(),
  ...templateFields,
  updatedAt: z.string(),
});
export type MessageTemplate = z.output<typeof templateSchema>;

/** What the page saves: without an id it is a new template. */
export const templateInputSchema = z.object({ id: z.number().int().positive().optional(), ...templateFields }).strict();
export type TemplateInput = z.output<typeof templateInputSchema>;

const fallbackText = z
  .string()
  .trim()
  .min(1, 'A fallback cannot be empty: it is what the customer reads when the value is missing')
  .max(200);
/** The text used when a customer has no value for a field. Never empty. */
export const fallbacksSchema = z.object({
  first_name: fallbackText,
  shop_name: fallbackText,
  recommended_product: fallbackText,
  last_product: fallbackText,
  unsubscribe_link: fallbackText,
});
export type TemplateFallbacks = z.output<typeof fallbacksSchema>;

export const templatesViewSchema = z.object({
  templates: z.array(templateSchema),
  fallbacks: fallbacksSchema,
  /** The fields a template may use, each with what it becomes. */
  fields: z.array(z.object({ field: z.enum(TEMPLATE_FIELDS), description: z.string() })),
});
export type TemplatesView = z.output<typeof templatesViewSchema>;

export const templatesContract = {
  'templates.list': command(
    'The message templates, the fallback text of each field, and the fields a template may use.',
    z.object({}).strict(),
    templatesViewSchema,
  ),
  'templates.save': command(
    'Saves a template (new without an id); refuses a field it does not know, naming it.',
    z.object({ template: templateInputSchema }).strict(),
    z.object({ template: templateSchema }),
  ),
  'templates.delete': command(
    'Deletes a template (messages already written keep their text).',
    z.object({ id: z.number().int().positive() }).strict(),
    z.object({ deleted: z.boolean() }),
  ),
  'templates.saveFallbacks': command(
    'Saves the text used when a customer has no value for a field (the ones left out keep theirs).',
    z.object({ fallbacks: fallbacksSchema.partial().strict() }).strict(),
    z.object({ fallbacks: fallbacksSchema }),
  ),
} as const;
