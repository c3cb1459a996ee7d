/**
 * `constintel send <email|phone|customer id> --channel email|sms|whatsapp (--text T | --template NAME)`: one
 * message to one customer from a terminal, through the same path as Customer 360's "Send a message" (consent, the
 * WhatsApp window, fields and fallbacks, pause, quiet hours, caps). A refusal prints the reason and exits 1.
 *
 * Who sends it: when ConstIntel is not running on the data file, this command takes the app's lock and sends it
 * itself (it waits for the provider's answer and prints it); when the app is running, it only writes the message to
 * the outbox and the app sends it (the app notices what a terminal command wrote).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../shared/contract/errors';
import type { MessageView, Verdict } from '../shared/contract/messages';
import { openForCommand } from './cli-context';
import { sendMessage } from './core/channels/compose';
import { messageView } from './core/channels/messages';
import { outboxOf } from './core/channels/outbox-worker';
import { listTemplates, templateByName } from './core/channels/template-store';
import type { ChannelName } from './core/channels/types';
import type { EngineContext } from './core/context';
import { type InstanceLock, takeInstanceLock } from './core/db/instance-lock';
import { findProfileId } from './core/db/repos/identifiers';
import { outboxRow } from './core/db/repos/message-outbox';
import { getProfile, redirectOf } from './core/db/repos/profiles';
import { normalizeEmail, normalizePhone } from './core/identity/normalize';
import { DATABASE_FILE_NAME, resolveDataDir } from './core/paths';
import { ensureDefaultBrand } from './core/settings/settings-store';
import { normalizeOptions } from './core/settings/shop-settings';

const CHANNELS: readonly ChannelName[] = ['email', 'sms', 'whatsapp'];
const FINAL = new Set(['sent', 'delivered', 'read', 'failed', 'unknown', 'cancelled']);

interface SendOptions {
  channel: string;
  text?: string;
  template?: string;
  subject?: string;
  service?: boolean;
  json?: boolean;
  dataDir?: string;
}

/** The customer a terminal names: their id, an email address, or a phone number (read with the shop's country). */
export function findCustomer(ctx: EngineContext, who: string): number {
  const typed = who.trim();
  if (/^\d{1,12}$/.test(typed)) {
    const id = Number(typed);
    const live = redirectOf(ctx.db, id) ?? id;
    if (getProfile(ctx.db, live)) return live;
  }
  if (typed.includes('@')) {
    const email = normalizeEmail(typed);
    const id = email.ok ? findProfileId(ctx.db, ctx.brandId, 'email', email.value) : undefined;
    if (id !== undefined) return id;
    throw new AppError('not_found', `No customer has the email address ${typed}.`);
  }
  const phone = normalizePhone(typed, normalizeOptions(ctx));
  const id = phone.ok ? findProfileId(ctx.db, ctx.brandId, 'phone', phone.value) : undefined;
  if (id !== undefined) return id;
  throw new AppError(
    'not_found',
    phone.ok
      ? `No customer has the phone number ${phone.value}, and there is no customer #${typed}.`
      : `"${typed}" is not a customer number, an email address or a phone number ConstIntel can read.`,
  );
}

function templateId(ctx: EngineContext, name: string, channel: ChannelName): number {
  const template = templateByName(ctx.db, name);
  if (template) return template.id;
  const names = listTemplates(ctx.db)
    .filter((t) => t.channel === channel)
    .map((t) => `"${t.name}"`);
  throw new AppError(
    'not_found',
    `There is no template called "${name}".${names.length ? ` The ${channel} templates are ${names.join(', ')}.` : ' Make one in the app (Settings → Channels → Message templates) first.'}`,
  );
}

const when = (iso: string | null) => (iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : 'later');

function describe(message: MessageView, verdict: Verdict, sentHere: boolean): string {
  const head = `Message #${message.id} to ${message.recipient} by ${message.channel}`;
  const reason = message.reason ? `: ${message.reason}` : '';
  switch (message.status) {
    case 'held':
      return `${head} is held until ${when(message.nextAttemptAt)}${reason}. ${sentHere ? 'ConstIntel sends it then, once the app (or `constintel send`) runs.' : 'The app sends it then.'}`;
    case 'pending':
      return sentHere
        ? `${head} is waiting to be tried again at ${when(message.nextAttemptAt)}${reason}. ConstIntel tries it then if the app is running, else as soon as it next starts.`
        : `${head} is written; ConstIntel (running) sends it now.${verdict.reason ? ` ${verdict.reason}` : ''}`;
    case 'sent':
      return `${head} was accepted${message.channel === 'email' ? ' by the mail server' : ''}.`;
    default:
      return `${head}: ${message.status}${reason}`;
  }
}

/** Sends what is due until this message is no longer waiting to go now. */
async function sendHere(ctx: EngineContext, id: number): Promise<void> {
  const worker = outboxOf(ctx);
  try {
    for (let pass = 0; pass < 5; pass += 1) {
      await worker.drain();
      const row = outboxRow(ctx.db, id);
      if (!row || FINAL.has(row.status) || row.nextAttemptAt > ctx.clock.now().getTime()) return;
    }
  } finally {
    worker.stop();
  }
}

export function addSendCommand(program: Command): void {
  program
    .command('send <customer>')
    .description(
      'Send one message to a customer (their id, email or phone) through consent, quiet hours and the WhatsApp window.',
    )
    .requiredOption('--channel <channel>', 'email, sms or whatsapp')
    .option('--text <text>', 'the message (may use fields such as {{first_name}})')
    .option('--template <name>', 'a template saved in the app, by its name')
    .option('--subject <subject>', 'email with --text: the subject')
    .option('--service', 'a reply inside the customer’s own conversation (last 24 hours), not marketing')
    .option('--json', 'print JSON')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action(async (who: string, opts: SendOptions) => {
      const channel = CHANNELS.find((c) => c === opts.channel);
      if (!channel) throw new AppError('validation', '--channel must be email, sms or whatsapp.');
      if ((opts.text === undefined) === (opts.template === undefined))
        throw new AppError('validation', 'Give either --text or --template (one of the two).');
      const dataDir = resolveDataDir({ flag: opts.dataDir });
      const ctx = openForCommand(dataDir);
      let lock: InstanceLock | undefined;
      try {
        ensureDefaultBrand(ctx.db, ctx.clock);
        const taken = takeInstanceLock(join(dataDir, DATABASE_FILE_NAME), ctx.clock.now());
        lock = taken.ok ? taken.lock : undefined;
        const profileId = findCustomer(ctx, who);
        const input = {
          profileId,
          channel,
          kind: opts.service ? ('service' as const) : ('marketing' as const),
          ...(opts.template !== undefined
            ? { templateId: templateId(ctx, opts.template, channel) }
            : { text: opts.text ?? '' }),
          ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
        };
        const { message, verdict } = sendMessage(ctx, input, 'cli');
        if (lock && message.status === 'pending') await sendHere(ctx, message.id);
        const final = messageView(ctx.db, message.id) ?? message;
        if (opts.json) process.stdout.write(`${JSON.stringify({ message: final, verdict }, null, 2)}\n`);
        else process.stdout.write(`${describe(final, verdict, lock !== undefined)}\n`);
        if (final.status === 'failed' || final.status === 'cancelled') process.exitCode = 1;
      } finally {
        lock?.release();
        ctx.db.close();
      }
    });
}
