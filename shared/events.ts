/**
 * The canonical event vocabulary: every source (API, webhooks, files) turns
 * what it receives into one of these types with this payload, so everything
 * downstream (totals, features, automations, journeys) reads one shape.
 */
import { z } from 'zod';
import {
  checkJson,
  DATE_MESSAGE,
  dateProblem,
  LIMIT_PARAMS,
  MAX_EVENT_BYTES,
  MAX_IDENTIFIER_CHARS,
  MAX_ITEMS,
  MAX_NAME_CHARS,
  MAX_QUANTITY,
  MAX_SHORT_TEXT_CHARS,
  MAX_TEXT_CHARS,
  MONEY_MESSAGE,
  moneyInRange,
  pathText,
  textProblem,
  utf8Bytes,
} from './limits';

export const EVENT_TYPES = [
  'purchase',
  'refund',
  'cancellation',
  'cart_add',
  'checkout_started',
  /** A checkout not completed within the shop's delay (Shopify has no such topic: the silence is the abandonment). */
  'cart_abandoned',
  'product_view',
  'search',
  'message_in',
  'message_out',
  'visit',
  'loyalty_scan',
  'referral',
  'profile_update',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Identifier types stored on profiles. */
export const IDENTIFIER_TYPES = [
  'email',
  'phone',
  'loyalty_id',
  'device_id',
  'cookie_id',
  'qr_id',
  'shopify_customer_id',
  'pos_customer_id',
  'whatsapp_user_id',
] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

/**
 * Identifier types an event may carry: the stored ones, `whatsapp` (a WhatsApp number is stored as a phone) and
 * `other_phone` (a second number, such as a file's Mobile beside its Phone: stored and matched as a phone too).
 */
export const INPUT_IDENTIFIER_TYPES = [...IDENTIFIER_TYPES, 'whatsapp', 'other_phone'] as const;
export type InputIdentifierType = (typeof INPUT_IDENTIFIER_TYPES)[number];

/** Marks an issue as a broken limit (shared/limits.ts), as opposed to a missing or mistyped field. */
const LIMIT = LIMIT_PARAMS;

/** A string within `max` characters and well-formed (no lone surrogate, no NUL). */
export function checkedText(max: number, schema: z.ZodString = z.string()) {
  return schema.superRefine((value, ctx) => {
    const message = value.length > max ? `must be at most ${max} characters` : textProblem(value);
    if (message) ctx.addIssue({ code: 'custom', message, params: LIMIT, input: value });
  });
}

const money = z.number({ error: 'must be a number' }).refine(moneyInRange, { message: MONEY_MESSAGE, params: LIMIT });
const text = checkedText(MAX_SHORT_TEXT_CHARS, z.string().trim());
const name = checkedText(MAX_NAME_CHARS, z.string().trim());

export const itemSchema = z.object({
  sku: text.optional(),
  title: text.optional(),
  category: text.optional(),
  quantity: z
    .number()
    .finite()
    .positive()
    .refine((q) => q <= MAX_QUANTITY, {
      message: `must be at most ${MAX_QUANTITY.toLocaleString('en')}`,
      params: LIMIT,
    })
    .default(1),
  price: money.optional(),
});
export type Item = z.output<typeof itemSchema>;

const consentDate = z
  .string()
  .max(40)
  .refine((v) => Number.isFinite(Date.parse(v)), { message: 'must be a date and time' });

/** Fields any event may carry; each type below says which it needs. */
const basePayload = z
  .object({
    /** Order number/id, so the same order from two sources counts once. */
    orderId: checkedText(MAX_IDENTIFIER_CHARS, z.string().trim()).optional(),
    total: money.optional(),
    currency: checkedText(3, z.string().trim().length(3).toUpperCase()).optional(),
    items: z
      .array(itemSchema)
      .refine((items) => items.length <= MAX_ITEMS, { message: `must have at most ${MAX_ITEMS} items`, params: LIMIT })
      .optional(),
    firstName: name.optional(),
    lastName: name.optional(),
    emailConsent: z.boolean().optional(),
    smsConsent: z.boolean().optional(),
    whatsappConsent: z.boolean().optional(),
    /** When the customer gave or withdrew that consent (Shopify's consent_updated_at); without it, a yes is undated. */
    emailConsentAt: consentDate.optional(),
    smsConsentAt: consentDate.optional(),
    whatsappConsentAt: consentDate.optional(),
    query: text.optional(),
    text: checkedText(MAX_TEXT_CHARS).optional(),
    channel: text.optional(),
  })
  .catchall(z.unknown());

const PAYLOAD_RULES: Partial<Record<EventType, { required: (keyof z.output<typeof basePayload>)[] }>> = {
  purchase: { required: ['total'] },
  refund: { required: ['total'] },
  cancellation: { required: ['orderId'] },
  search: { required: ['query'] },
};

export type EventPayload = z.output<typeof basePayload>;

/** A string or a whole number (ids sent as JSON numbers); a number past 2^53 has already lost digits. */
function idValue(maxChars: number) {
  return z.union([z.string(), z.number()]).superRefine((value, ctx) => {
    const message =
      typeof value === 'number'
        ? Number.isSafeInteger(value)
          ? undefined
          : 'must be text or a whole number below 2^53'
        : value.length > maxChars
          ? `must be at most ${maxChars} characters`
          : textProblem(value);
    if (message) ctx.addIssue({ code: 'custom', message, params: LIMIT, input: value });
  });
}

export const identifiersInputSchema = z
  .object(
    Object.fromEntries(INPUT_IDENTIFIER_TYPES.map((t) => [t, idValue(MAX_IDENTIFIER_CHARS).optional()])) as Record<
      InputIdentifierType,
      z.ZodOptional<ReturnType<typeof idValue>>
    >,
  )
  .strict();
export type IdentifiersInput = z.input<typeof identifiersInputSchema>;

/** Depth, size and text of the payload as a whole (its extra fields are not typed one by one). */
function checkPayload(payload: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const { problem, sizeBound } = checkJson(payload);
  if (problem) {
    // A depth problem is named by its top field (the full path would be 33 keys long).
    const path = /nested/.test(problem.message) ? problem.path.slice(0, 1) : problem.path.slice(0, 6);
    ctx.addIssue({ code: 'custom', path: ['payload', ...path], message: problem.message, params: LIMIT });
    return;
  }
  // Measured exactly only when the walk's upper bound says it could be over (never for an ordinary event).
  const bytes = sizeBound > MAX_EVENT_BYTES ? utf8Bytes(JSON.stringify(payload)) : 0;
  if (bytes > MAX_EVENT_BYTES) {
    ctx.addIssue({
      code: 'custom',
      path: ['payload'],
      message: `is ${Math.ceil(bytes / 1024)} KB; an event may carry at most ${MAX_EVENT_BYTES / 1024} KB`,
      params: LIMIT,
    });
  }
}

export const eventInputSchema = z
  .object({
    type: z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }),
    occurredAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-03-01T10:00:00Z' })
      .refine((at) => dateProblem(Date.parse(at)) === undefined, { message: DATE_MESSAGE, params: LIMIT }),
    source: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[a-z0-9_.-]+$/i, 'must be letters, digits, dot, dash or underscore')
      .default('api'),
    externalId: idValue(200).transform(String).pipe(z.string().trim().min(1, 'must not be empty')).optional(),
    identifiers: identifiersInputSchema.default({}),
    payload: basePayload.default({}),
  })
  .strict()
  .superRefine((event, ctx) => {
    for (const field of PAYLOAD_RULES[event.type]?.required ?? []) {
      if (event.payload[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['payload', field], message: `is required for a ${event.type} event` });
      }
    }
    checkPayload(event.payload, ctx);
  });
export type EventInput = z.input<typeof eventInputSchema>;
export type ParsedEvent = z.output<typeof eventInputSchema>;

/**
 * The event schema plus the one limit that needs the clock: `occurredAt` no later than a day after `now`.
 * Every edge (event API, webhooks) parses through this; the bare schema checks only fixed bounds.
 */
export function parseEvent(input: unknown, now: number): z.ZodSafeParseResult<ParsedEvent> {
  const parsed = eventInputSchema.safeParse(input);
  if (!parsed.success) return parsed;
  const problem = dateProblem(Date.parse(parsed.data.occurredAt), now);
  if (problem === undefined) return parsed;
  const issue = {
    code: 'custom' as const,
    path: ['occurredAt'],
    message: problem,
    params: LIMIT,
    input: parsed.data.occurredAt,
  };
  return { success: false, error: new z.ZodError([issue]) } as z.ZodSafeParseResult<ParsedEvent>;
}

/** `parseEvent` that throws the ZodError (for sources mapping a body into events). */
export function parseEventOrThrow(input: unknown, now: number): ParsedEvent {
  const parsed = parseEvent(input, now);
  if (!parsed.success) throw parsed.error;
  return parsed.data;
}

const isLimitIssue = (issue: z.core.$ZodIssue) =>
  issue.code === 'custom' && (issue.params as { limit?: boolean } | undefined)?.limit === true;

/** Whether a failure is a broken limit (refused at the edge) rather than a field missing or of another shape. */
export function isLimitBreach(error: unknown): error is z.ZodError {
  return error instanceof z.ZodError && error.issues.some(isLimitIssue);
}

/** "field: what is wrong" for the first broken limit of a failure (undefined when none is a limit). */
export function limitMessage(error: unknown): string | undefined {
  if (!(error instanceof z.ZodError)) return undefined;
  const issue = error.issues.find(isLimitIssue);
  if (!issue) return undefined;
  return issue.path.length > 0 ? `${pathText(issue.path)}: ${issue.message}` : issue.message;
}
