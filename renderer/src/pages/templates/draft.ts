/** A template as the editor holds it while the owner types (strings, an on/off for the approved WhatsApp template). */
import type { MessageTemplate, TemplateChannel } from '../../../../shared/contract/templates';

export interface Draft {
  id?: number;
  name: string;
  channel: TemplateChannel;
  subject: string;
  body: string;
  approved: boolean;
  waName: string;
  waLanguage: string;
  waCategory: 'MARKETING' | 'UTILITY';
  waParameters: string[];
}

export const EMPTY: Draft = {
  name: '',
  channel: 'email',
  subject: '',
  body: '',
  approved: false,
  waName: '',
  waLanguage: 'en',
  waCategory: 'MARKETING',
  waParameters: [],
};

export const toDraft = (t: MessageTemplate): Draft => ({
  id: t.id,
  name: t.name,
  channel: t.channel,
  subject: t.subject ?? '',
  body: t.body,
  approved: t.whatsapp !== null,
  waName: t.whatsapp?.name ?? '',
  waLanguage: t.whatsapp?.language ?? 'en',
  waCategory: t.whatsapp?.category ?? 'MARKETING',
  waParameters: t.whatsapp?.parameters ?? [],
});
