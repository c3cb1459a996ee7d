/**
 * `constintel connect email | sms | whatsapp`: the channels from a terminal. Each checks its options with the same
 * schema as Settings → Channels, writes the non-secret fields to the data file and the secret (SMTP password, auth
 * token, access token) to the secret store beside it. `connect whatsapp` also keeps its webhook side (app secret and
 * verify token), so one command can set up both.
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import { emailSetupSchema, smsSetupSchema, whatsappSetupSchema } from '../shared/contract/channels';
import { AppError } from '../shared/contract/errors';
import { validationError } from '../shared/contract/validation';
import { openForCommand } from './cli-context';
import { saveChannel } from './core/channels/channel-settings';
import { saveWhatsApp } from './core/connections/whatsapp-connection';
import { resolveDataDir } from './core/paths';

const DATA_DIR = ['--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)'] as const;

/** The contract's field names as the options a person typed. */
const OPTION_OF: Record<string, string> = {
  host: '--host',
  port: '--port',
  security: '--tls',
  user: '--user',
  password: '--password',
  fromAddress: '--from',
  fromName: '--from-name',
  accountSid: '--account-sid',
  authToken: '--auth-token',
  from: '--from',
  messagingServiceSid: '--messaging-service-sid',
  phoneNumberId: '--phone-number-id',
  accessToken: '--access-token',
};

function parseOrExplain<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const error = validationError(parsed.error);
  const field = error.field && OPTION_OF[error.field];
  throw field ? new AppError('validation', error.message.replace(`${error.field}:`, `${field}`)) : error;
}

function portNumber(value: string): number {
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

export function addChannelCommands(connect: Command): void {
  connect
    .command('email')
    .description("Send email through the shop's own mail server (SMTP). DKIM signing is the mail server's job.")
    .requiredOption('--host <host>', 'the mail server, such as smtp.your-provider.com')
    .requiredOption('--port <port>', 'its port: usually 587 (STARTTLS), 465 (TLS) or 25', portNumber)
    .option('--tls <mode>', 'none, starttls or tls (default: starttls)', 'starttls')
    .option('--user <user>', 'the user name to sign in with, if the server asks for one')
    .option('--password <password>', 'the password for that user')
    .requiredOption('--from <address>', 'the address mail comes from, such as hello@your-shop.com')
    .option('--from-name <name>', 'the name shown beside it, such as your shop name')
    .option(...DATA_DIR)
    .action(
      (opts: {
        host: string;
        port: number;
        tls: string;
        user?: string;
        password?: string;
        from: string;
        fromName?: string;
        dataDir?: string;
      }) => {
        const input = parseOrExplain(emailSetupSchema, {
          host: opts.host,
          port: opts.port,
          security: opts.tls,
          user: opts.user,
          password: opts.password,
          fromAddress: opts.from,
          fromName: opts.fromName,
        });
        if (input.user && !input.password) throw new AppError('validation', 'Give --password with --user.');
        const ctx = openForCommand(resolveDataDir({ flag: opts.dataDir }));
        try {
          saveChannel(
            ctx.db,
            ctx.secrets,
            'email',
            {
              host: input.host,
              port: input.port,
              security: input.security,
              user: input.user || null,
              fromAddress: input.fromAddress,
              fromName: input.fromName || null,
            },
            input.user ? input.password : '',
            ctx.clock.now().getTime(),
          );
        } finally {
          ctx.db.close();
        }
        process.stdout.write(
          `Connected email: mail goes from ${input.fromAddress} through ${input.host}:${input.port} (${input.security}). Send a test message from Settings → Channels.\n`,
        );
      },
    );

  connect
    .command('sms')
    .description('Send text messages through Twilio.')
    .requiredOption('--account-sid <sid>', 'the Account SID from the Twilio console (AC…)')
    .requiredOption('--auth-token <token>', 'the Auth Token shown beside it')
    .option('--from <number>', "the shop's Twilio number, with its country code (+447700900123)")
    .option('--messaging-service-sid <sid>', 'or a Messaging Service SID (MG…) instead of a number')
    .option(...DATA_DIR)
    .action(
      (opts: {
        accountSid: string;
        authToken: string;
        from?: string;
        messagingServiceSid?: string;
        dataDir?: string;
      }) => {
        const input = parseOrExplain(smsSetupSchema, {
          accountSid: opts.accountSid,
          authToken: opts.authToken,
          from: opts.from,
          messagingServiceSid: opts.messagingServiceSid,
        });
        const ctx = openForCommand(resolveDataDir({ flag: opts.dataDir }));
        try {
          saveChannel(
            ctx.db,
            ctx.secrets,
            'sms',
            {
              accountSid: input.accountSid,
              from: input.messagingServiceSid ? null : (input.from ?? null),
              messagingServiceSid: input.messagingServiceSid ?? null,
            },
            input.authToken,
            ctx.clock.now().getTime(),
          );
        } finally {
          ctx.db.close();
        }
        process.stdout.write(
          `Connected SMS through Twilio, from ${input.messagingServiceSid ?? input.from}. Send a test message from Settings → Channels.\n`,
        );
      },
    );

  connect
    .command('whatsapp')
    .description(
      "Connect WhatsApp: sending (phone number id and access token) and receiving (the Meta app's secret and the verify token).",
    )
    .option(
      '--phone-number-id <id>',
      'the Phone number ID Meta shows under WhatsApp → API setup (digits, not the number)',
    )
    .option('--access-token <token>', 'an access token that may send from that number (a system user token lasts)')
    .option('--app-secret <secret>', "the Meta app's secret (App settings → Basic), for receiving messages")
    .option('--verify-token <token>', 'any word you choose; type the same into Meta as the verify token')
    .option(...DATA_DIR)
    .action(
      (opts: {
        phoneNumberId?: string;
        accessToken?: string;
        appSecret?: string;
        verifyToken?: string;
        dataDir?: string;
      }) => {
        const sending = opts.phoneNumberId !== undefined || opts.accessToken !== undefined;
        const receiving = opts.appSecret !== undefined || opts.verifyToken !== undefined;
        if (!sending && !receiving) {
          throw new AppError(
            'validation',
            'Give --phone-number-id and --access-token (to send), or --app-secret and --verify-token (to receive), or all four.',
          );
        }
        if (receiving && (!opts.appSecret || !opts.verifyToken)) {
          throw new AppError('validation', 'Give both --app-secret and --verify-token.');
        }
        const input = sending
          ? parseOrExplain(whatsappSetupSchema, {
              phoneNumberId: opts.phoneNumberId ?? '',
              accessToken: opts.accessToken,
            })
          : undefined;
        if (input && !input.accessToken)
          throw new AppError('validation', 'Give --access-token with --phone-number-id.');
        const ctx = openForCommand(resolveDataDir({ flag: opts.dataDir }));
        try {
          if (input) {
            saveChannel(
              ctx.db,
              ctx.secrets,
              'whatsapp',
              { phoneNumberId: input.phoneNumberId },
              input.accessToken,
              ctx.clock.now().getTime(),
            );
          }
          if (receiving) saveWhatsApp(ctx.secrets, { appSecret: opts.appSecret, verifyToken: opts.verifyToken });
        } finally {
          ctx.db.close();
        }
        const said = [
          input ? `sending from phone number id ${input.phoneNumberId}` : '',
          receiving ? "receiving: in Meta, use <your tunnel's address>/webhooks/whatsapp as the callback URL" : '',
        ].filter(Boolean);
        process.stdout.write(`Connected WhatsApp. ${said.join('; ')}.\n`);
      },
    );
}
