/**
 * Where each channel's setup is kept: the non-secret fields (SMTP host and port, From address, WhatsApp phone number
 * id, Twilio account SID and From) as one JSON value per channel in the `setting` table, and the secrets (SMTP
 * password, WhatsApp access token, Twilio auth token) in the secret store, never in the data file and never sent
 * back to the page. `channelsView` says per channel whether it is ready and, if not, what is missing.
 */
import type { ChannelStatus, ChannelsView } from '../../../shared/contract/channels';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { steady } from '../db/steady-reads';
import type { SecretStore } from '../secrets/secret-store';
import type { EmailConfig, EmailSecurity } from './email';
import type { SmsConfig } from './sms';
import type { ChannelName } from './types';
import type { WhatsAppConfig } from './whatsapp';

export const SECRET_NAMES = {
  email: 'channels.email.password',
  whatsapp: 'channels.whatsapp.accessToken',
  sms: 'channels.sms.authToken',
} as const satisfies Record<ChannelName, string>;

const SETTING_KEYS = {
  email: 'channels.email',
  whatsapp: 'channels.whatsapp',
  sms: 'channels.sms',
} as const satisfies Record<ChannelName, string>;

export interface EmailFields {
  host: string;
  port: number;
  security: EmailSecurity;
  user: string | null;
  fromAddress: string;
  fromName: string | null;
}
export interface WhatsAppFields {
  phoneNumberId: string;
}
export interface SmsFields {
  accountSid: string;
  from: string | null;
  messagingServiceSid: string | null;
}
interface FieldsOf {
  email: EmailFields;
  whatsapp: WhatsAppFields;
  sms: SmsFields;
}

export function readFields<C extends ChannelName>(db: Database, channel: C): Partial<FieldsOf[C]> | undefined {
  // Once per batch inside steady reads (an automation's batch writes no channel settings; its readers change nothing).
  return steady(`channel:${channel}`, () => parseFields<C>(db, channel));
}

function parseFields<C extends ChannelName>(db: Database, channel: C): Partial<FieldsOf[C]> | undefined {
  const raw = stmt(db, 'SELECT value FROM setting WHERE key = ?').pluck().get(SETTING_KEYS[channel]) as
    | string
    | undefined;
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' ? (value as Partial<FieldsOf[C]>) : undefined;
  } catch {
    // A value edited by hand into something unreadable counts as not set up; saving again repairs it.
    return undefined;
  }
}

function writeFields<C extends ChannelName>(db: Database, channel: C, fields: FieldsOf[C], now: number): void {
  stmt(
    db,
    'INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  ).run(SETTING_KEYS[channel], JSON.stringify(fields), now);
}

/** Saves a channel's fields; a secret left out keeps the saved one, an empty string deletes it. */
export function saveChannel<C extends ChannelName>(
  db: Database,
  secrets: SecretStore,
  channel: C,
  fields: FieldsOf[C],
  secret: string | undefined,
  now: number,
): void {
  if (secret !== undefined) {
    if (secret === '') secrets.delete(SECRET_NAMES[channel]);
    else secrets.set(SECRET_NAMES[channel], secret);
  }
  writeFields(db, channel, fields, now);
}

export function emailConfig(db: Database, secrets: SecretStore): EmailConfig | undefined {
  const f = readFields(db, 'email');
  if (!f?.host || !f.port || !f.fromAddress) return undefined;
  const password = secrets.get(SECRET_NAMES.email);
  if (f.user && password === undefined) return undefined;
  return {
    host: f.host,
    port: f.port,
    security: f.security ?? 'starttls',
    user: f.user ?? undefined,
    password,
    fromAddress: f.fromAddress,
    fromName: f.fromName ?? undefined,
  };
}

export function whatsappConfig(db: Database, secrets: SecretStore): WhatsAppConfig | undefined {
  const f = readFields(db, 'whatsapp');
  const accessToken = secrets.get(SECRET_NAMES.whatsapp);
  if (!f?.phoneNumberId || !accessToken) return undefined;
  return { phoneNumberId: f.phoneNumberId, accessToken };
}

export function smsConfig(db: Database, secrets: SecretStore): SmsConfig | undefined {
  const f = readFields(db, 'sms');
  const authToken = secrets.get(SECRET_NAMES.sms);
  if (!f?.accountSid || !authToken || !(f.from || f.messagingServiceSid)) return undefined;
  return {
    accountSid: f.accountSid,
    authToken,
    from: f.from ?? undefined,
    messagingServiceSid: f.messagingServiceSid ?? undefined,
  };
}

function status(missing: string[], secretSaved: boolean): ChannelStatus {
  return { connected: missing.length === 0, missing, secretSaved };
}

export function channelsView(db: Database, secrets: SecretStore): ChannelsView {
  const email = readFields(db, 'email');
  const emailSecret = secrets.has(SECRET_NAMES.email);
  const emailMissing = [
    ...(email?.host ? [] : ['the mail server (host)']),
    ...(email?.port ? [] : ['the port']),
    ...(email?.fromAddress ? [] : ['the From address']),
    ...(email?.user && !emailSecret ? ['the password'] : []),
  ];
  const whatsapp = readFields(db, 'whatsapp');
  const whatsappSecret = secrets.has(SECRET_NAMES.whatsapp);
  const whatsappMissing = [
    ...(whatsapp?.phoneNumberId ? [] : ['the phone number ID']),
    ...(whatsappSecret ? [] : ['the access token']),
  ];
  const sms = readFields(db, 'sms');
  const smsSecret = secrets.has(SECRET_NAMES.sms);
  const smsMissing = [
    ...(sms?.accountSid ? [] : ['the account SID']),
    ...(smsSecret ? [] : ['the auth token']),
    ...(sms?.from || sms?.messagingServiceSid ? [] : ['a From number or a Messaging Service SID']),
  ];
  return {
    email: {
      ...status(emailMissing, emailSecret),
      host: email?.host ?? '',
      port: email?.port ?? null,
      security: email?.security ?? 'starttls',
      user: email?.user ?? '',
      fromAddress: email?.fromAddress ?? '',
      fromName: email?.fromName ?? '',
    },
    whatsapp: {
      ...status(whatsappMissing, whatsappSecret),
      phoneNumberId: whatsapp?.phoneNumberId ?? '',
    },
    sms: {
      ...status(smsMissing, smsSecret),
      accountSid: sms?.accountSid ?? '',
      from: sms?.from ?? '',
      messagingServiceSid: sms?.messagingServiceSid ?? '',
    },
  };
}
