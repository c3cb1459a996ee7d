/**
 * One message to one customer on one channel, from a template or typed text — what Customer 360's "Send a
 * message" and `constintel send` both do. In order: the channel is connected; the customer has an address or number
 * for it; a service message is a reply inside their own 24-hour conversation (never by email); consent (marketing:
 * their yes; service: not opted out); the text with fields filled (fallbacks named); on WhatsApp, free text inside
 * the window, else the template's approved WhatsApp template with its parameters, chosen automatically; email
 * marketing carries the RFC 8058 unsubscribe headers. Then the guards' verdict (pause, quiet hours, cap) and
 * `enqueueMessage`, which asks them again as it writes. A refusal is an AppError with the reason in words.
 */
import { AppError } from '../../../shared/contract/errors';
import type { ComposeInput, MessagePreview, MessageView, SendOption, Verdict } from '../../../shared/contract/messages';
import type { MessageTemplate } from '../../../shared/contract/templates';
import type { EngineContext } from '../context';
import { firstIdentifierValue } from '../db/repos/identifiers';
import { latestPurchasePayloads } from '../db/repos/message-resend';
import { firstNameOf, profileExists, redirectOf } from '../db/repos/profiles';
import { steady } from '../db/steady-reads';
import { predictionOf } from '../ml/predictions-read';
import { readSettings, type StoredSettings } from '../settings/settings-store';
import { shopCurrency } from '../settings/shop-settings';
import { CHANNEL_WORDS, consentOf } from './consent';
import { messageView } from './messages';
import { type ComposedBody, enqueueMessage } from './outbox';
import { CHANNEL_LABEL } from './outbox-deps';
import { decide, type GuardDecision, priceOf } from './outbox-guards';
import { outboxOf } from './outbox-worker';
import { listTemplates, readFallbacks, templateById } from './template-store';
import { type FieldValues, renderTemplate, UnrenderableText } from './templates';
import type { ChannelName } from './types';
import { listUnsubscribeHeaders, unsubscribeUrl } from './unsubscribe-links';
import { closedWindowWords, conversationWindow, serviceAllowed } from './whatsapp-window';

export interface Composed extends MessagePreview {
  profileId: number;
  /** What the outbox row's body holds (null when refused before a message could be made). */
  body: ComposedBody | null;
  /** The guards' decision behind `verdict` (null when refused first): `enqueueMessage` takes it rather than deciding again. */
  decision: GuardDecision | null;
}

/** The providers' limits: SMS (Twilio) 1,600 characters, WhatsApp 4,096; email has none that matters here. */
const TEXT_LIMIT: Record<ChannelName, number> = { email: 100_000, sms: 1_600, whatsapp: 4_096 };

const refused = (reason: string): Verdict => ({ status: 'refused', reason, sendAfter: null });

/** The customer an id names now (a merged-away id lives on in the profile it was merged into). */
function liveProfile(ctx: EngineContext, id: number): number {
  const live = redirectOf(ctx.db, id) ?? id;
  if (!profileExists(ctx.db, live)) throw new AppError('not_found', `There is no customer #${id}.`);
  return live;
}

/** Where a message on this channel goes: their email, or their phone number for SMS and WhatsApp. */
export function recipientOf(ctx: EngineContext, profileId: number, channel: ChannelName): string | null {
  return firstIdentifierValue(ctx.db, profileId, channel === 'email' ? 'email' : 'phone');
}

function lastProduct(ctx: EngineContext, profileId: number): string | null {
  for (const raw of latestPurchasePayloads(ctx.db, profileId, 5)) {
    try {
      const payload = JSON.parse(raw) as { items?: { title?: unknown; sku?: unknown }[] };
      for (const item of payload.items ?? []) {
        if (typeof item.title === 'string' && item.title.trim()) return item.title;
      }
    } catch {
      // An unreadable payload names no product; the next purchase may.
    }
  }
  return null;
}

/**
 * The customer's values for the fields; missing ones are null (the shop's fallback fills them). Each is read when
 * the text uses it (getters): an automation writing thousands of "Hello {{first_name}}" messages does not read each
 * customer's purchases for a last product it never shows. The recommendation is read from the stored prediction
 * alone (not the whole of Customer 360's signals).
 */
export function fieldValuesFor(
  ctx: EngineContext,
  profileId: number,
  channel: ChannelName,
  settings: Pick<StoredSettings, 'brandName'> = readSettings(ctx.db),
): FieldValues {
  return {
    get first_name() {
      return firstNameOf(ctx.db, profileId);
    },
    shop_name: settings.brandName,
    get recommended_product() {
      return predictionOf(ctx.db, profileId)?.recommendations[0]?.title ?? null;
    },
    get last_product() {
      return lastProduct(ctx, profileId);
    },
    // The https link unsubscribes from email; on SMS and WhatsApp the fallback (reply STOP / unsubscribe) fits.
    get unsubscribe_link() {
      return channel === 'email' ? unsubscribeUrl(ctx, profileId) : null;
    },
  };
}

interface Source {
  body: string;
  subject: string | null;
  approved: MessageTemplate['whatsapp'];
}

function sourceOf(ctx: EngineContext, input: ComposeInput): Source {
  if (input.templateId === undefined) return { body: input.text ?? '', subject: input.subject ?? null, approved: null };
  const template = templateById(ctx.db, input.templateId);
  if (!template)
    throw new AppError('not_found', `There is no template #${input.templateId}: it may have been deleted.`);
  if (template.channel !== input.channel)
    throw new AppError(
      'validation',
      `The template "${template.name}" is for ${CHANNEL_WORDS[template.channel]}, not ${CHANNEL_WORDS[input.channel]}.`,
    );
  return { body: template.body, subject: template.subject, approved: template.whatsapp };
}

/** Everything about the message before it is written: the preview, and the refusal reason if it cannot go. */
export function composeMessage(ctx: EngineContext, input: ComposeInput): Composed {
  const { channel, kind } = input;
  const profileId = liveProfile(ctx, input.profileId);
  const now = ctx.clock.now();
  const settings = readSettings(ctx.db);
  const deps = outboxOf(ctx).deps;
  const to = recipientOf(ctx, profileId, channel);
  const base = {
    profileId,
    to,
    channel,
    kind,
    subject: null,
    text: '',
    whatsappTemplate: null,
    fellBack: [],
    cost: priceOf(settings, channel),
    currency: shopCurrency(ctx),
    body: null,
    decision: null,
  };
  const source = sourceOf(ctx, input);
  const words = CHANNEL_WORDS[channel];
  // Asked once per batch of steady reads (an automation's chunk), not per message: the answer builds the sender.
  if (!steady(`connected:${channel}`, () => deps.senderFor(channel) !== undefined))
    return {
      ...base,
      verdict: refused(`${CHANNEL_LABEL[channel]} is not connected: set it up in Settings → Channels.`),
    };
  if (to === null)
    return {
      ...base,
      verdict: refused(
        channel === 'email'
          ? 'This customer has no email address.'
          : `This customer has no phone number, so nothing can go by ${words}.`,
      ),
    };
  const window = conversationWindow(ctx.db, profileId, channel, now.getTime());
  if (kind === 'service') {
    const service = serviceAllowed(channel, window);
    if (!service.allowed) return { ...base, verdict: refused(service.reason) };
  }
  const consent = deps.consent(profileId, channel, kind);
  if (!consent.ok) return { ...base, verdict: refused(consent.reason) };

  let rendered: ReturnType<typeof renderTemplate>;
  try {
    rendered = renderTemplate(
      { body: source.body, subject: source.subject, parameters: source.approved?.parameters ?? [] },
      fieldValuesFor(ctx, profileId, channel, settings),
      readFallbacks(ctx.db),
    );
  } catch (error) {
    if (error instanceof UnrenderableText) throw new AppError('validation', error.message, 'text');
    throw error;
  }
  const limit = TEXT_LIMIT[channel];
  if (rendered.text.length > limit)
    return {
      ...base,
      text: rendered.text,
      fellBack: rendered.fellBack,
      verdict: refused(
        `${CHANNEL_LABEL[channel]} messages can be at most ${limit.toLocaleString('en')} characters; with the fields filled this one has ${rendered.text.length.toLocaleString('en')}. Shorten it.`,
      ),
    };
  const decision = decide(ctx, deps, settings, { channel, recipient: to, profileId, kind }, now, { countCap: true });
  const approvedForm = source.approved
    ? { name: source.approved.name, language: source.approved.language, parameters: rendered.parameters }
    : null;
  const body: ComposedBody = { text: rendered.text };
  let whatsappTemplate: Composed['whatsappTemplate'] = null;
  if (channel === 'email') {
    body.subject = rendered.subject ?? `A message from ${settings.brandName}`;
    if (kind === 'marketing') {
      const headers = listUnsubscribeHeaders(ctx, profileId);
      if (Object.keys(headers).length > 0) body.headers = headers;
    }
  } else if (channel === 'whatsapp') {
    // Held (quiet hours, a cap) past the window's end, free text would be refused when it goes: the template goes.
    const heldUntil = !decision.go && decision.status === 'held' ? decision.until : now.getTime();
    if (window.openUntil !== null && heldUntil < window.openUntil) {
      if (approvedForm) body.approvedTemplate = approvedForm;
    } else if (approvedForm) {
      body.template = approvedForm;
      whatsappTemplate = approvedForm;
    } else {
      return {
        ...base,
        text: rendered.text,
        fellBack: rendered.fellBack,
        verdict: refused(
          window.openUntil === null
            ? `WhatsApp allows free text only within 24 hours of the customer's last message, and ${closedWindowWords('whatsapp', window)}. Choose a template that has an approved WhatsApp template.`
            : `It would wait until ${new Date(heldUntil).toISOString().replace('T', ' ').slice(0, 16)} UTC (${!decision.go ? decision.reason : ''}), after the customer's 24-hour WhatsApp window closes, and WhatsApp allows free text only inside it. Choose a template that has an approved WhatsApp template.`,
        ),
      };
    }
  }
  const verdict: Verdict = decision.go
    ? { status: 'pending', reason: null, sendAfter: now.toISOString() }
    : decision.status === 'held'
      ? { status: 'held', reason: decision.reason, sendAfter: new Date(decision.until).toISOString() }
      : { status: 'cancelled', reason: decision.reason, sendAfter: null };
  return {
    ...base,
    subject: body.subject ?? null,
    text: rendered.text,
    whatsappTemplate,
    fellBack: rendered.fellBack,
    verdict,
    body,
    decision,
  };
}

export interface SendOutcome {
  message: MessageView;
  verdict: Verdict;
  composed: Composed;
}

/** Composes and writes the message to the outbox; a refusal throws an AppError (validation) with the reason. */
export function sendMessage(ctx: EngineContext, input: ComposeInput, source = 'customer360'): SendOutcome {
  const composed = composeMessage(ctx, input);
  if (composed.verdict.status === 'refused' || composed.body === null || composed.to === null)
    throw new AppError('validation', composed.verdict.reason ?? 'This message cannot be sent.');
  const enqueued = enqueueMessage(ctx, {
    ...composed.body,
    channel: input.channel,
    to: composed.to,
    profileId: composed.profileId,
    kind: input.kind,
    source,
    decided: composed.decision ?? undefined,
  });
  const message = messageView(ctx.db, enqueued.id);
  if (!message) throw new AppError('internal', 'The message was written but could not be read back.');
  return {
    message,
    verdict: {
      status: enqueued.status,
      reason: enqueued.reason,
      sendAfter: enqueued.status === 'cancelled' ? null : new Date(enqueued.sendAfter).toISOString(),
    },
    composed,
  };
}

/** For Customer 360's "Send a message": each channel as it stands for this customer now. */
export function sendOptions(ctx: EngineContext, asked: number): SendOption[] {
  const profileId = liveProfile(ctx, asked);
  const now = ctx.clock.now().getTime();
  const settings = readSettings(ctx.db);
  const deps = outboxOf(ctx).deps;
  const consent = consentOf(ctx.db, profileId);
  const templates = listTemplates(ctx.db);
  return (['email', 'sms', 'whatsapp'] as const).map((channel) => {
    const connected = deps.senderFor(channel) !== undefined;
    const to = recipientOf(ctx, profileId, channel);
    const window = conversationWindow(ctx.db, profileId, channel, now);
    const blocked = !connected
      ? `${CHANNEL_LABEL[channel]} is not connected: set it up in Settings → Channels.`
      : to === null
        ? channel === 'email'
          ? 'This customer has no email address.'
          : `This customer has no phone number, so nothing can go by ${CHANNEL_WORDS[channel]}.`
        : null;
    const marketing = deps.consent(profileId, channel, 'marketing');
    const serviceConsent = deps.consent(profileId, channel, 'service');
    const service = serviceAllowed(channel, window);
    const serviceReason =
      blocked ?? (!service.allowed ? service.reason : !serviceConsent.ok ? serviceConsent.reason : null);
    const reason = blocked ?? (marketing.ok ? null : marketing.reason);
    const freeText = channel !== 'whatsapp' || window.openUntil !== null;
    return {
      channel,
      connected,
      to,
      consent: consent[channel].state,
      allowed: reason === null,
      reason,
      service: { allowed: serviceReason === null, reason: serviceReason },
      whatsappWindowOpenUntil: window.openUntil === null ? null : new Date(window.openUntil).toISOString(),
      freeTextAllowed: freeText,
      price: priceOf(settings, channel),
      currency: shopCurrency(ctx),
      templates: templates
        .filter((t) => t.channel === channel && (freeText || t.whatsapp !== null))
        .map((t) => ({ id: t.id, name: t.name })),
    };
  });
}
