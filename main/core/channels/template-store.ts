/**
 * Where templates and the fields' fallback text are kept: the `setting` table, as JSON under `channels.templates`
 * (`{ nextId, templates }`) and `channels.templateFallbacks`, each read through its zod schema. A stored template
 * that no longer reads (edited by hand) is left out rather than sent half-read. Saving refuses a field ConstIntel
 * does not know, naming it, so nothing reaches a customer with `{{…}}` in it.
 */
import { z } from 'zod';
import { AppError } from '../../../shared/contract/errors';
import {
  fallbacksSchema,
  type MessageTemplate,
  type TemplateFallbacks,
  type TemplateInput,
  templateSchema,
} from '../../../shared/contract/templates';
import type { Database } from '../db/open';
import { readSettingJson, readSettingText, writeSettingJson } from '../db/repos/message-resend';
import { steady } from '../db/steady-reads';
import { DEFAULT_FALLBACKS, fieldProblem, parameterField, parameterProblem } from './templates';

export const TEMPLATES_KEY = 'channels.templates';
export const FALLBACKS_KEY = 'channels.templateFallbacks';

const storedSchema = z.object({
  nextId: z.number().int().positive(),
  templates: z.array(z.unknown()),
});

interface Stored {
  nextId: number;
  templates: MessageTemplate[];
}

/** The templates as last read, by their stored text: parsing each through its schema is worth doing once per change. */
let lastStored: { raw: string | undefined; stored: Stored } | undefined;

/** Inside a batch (steady reads) its readers share one copy, which none of them changes; elsewhere each its own. */
function readStored(db: Database): Stored {
  return steady('templates', () => {
    const raw = readSettingText(db, TEMPLATES_KEY);
    if (lastStored && lastStored.raw === raw) return structuredClone(lastStored.stored);
    const stored = parseStored(raw);
    lastStored = { raw, stored };
    return structuredClone(stored);
  });
}

function parseStored(raw: string | undefined): Stored {
  let json: unknown;
  try {
    json = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const parsed = storedSchema.safeParse(json);
  if (!parsed.success) return { nextId: 1, templates: [] };
  const templates = parsed.data.templates.flatMap((t) => {
    const one = templateSchema.safeParse(t);
    return one.success ? [one.data] : [];
  });
  const nextId = Math.max(parsed.data.nextId, ...templates.map((t) => t.id + 1));
  return { nextId, templates };
}

export function listTemplates(db: Database): MessageTemplate[] {
  return readStored(db).templates;
}

export function templateById(db: Database, id: number): MessageTemplate | undefined {
  return readStored(db).templates.find((t) => t.id === id);
}

/** A template by its name (case and spaces aside), for `constintel send --template NAME`. */
export function templateByName(db: Database, name: string): MessageTemplate | undefined {
  const key = name.trim().toLowerCase().replace(/\s+/g, ' ');
  return readStored(db).templates.find((t) => t.name.toLowerCase().replace(/\s+/g, ' ') === key);
}

function check(input: TemplateInput): void {
  const bodyProblem = fieldProblem(input.body, 'The message');
  if (bodyProblem) throw new AppError('validation', bodyProblem, 'template.body');
  if (input.subject) {
    const subjectProblem = fieldProblem(input.subject, 'The subject');
    if (subjectProblem) throw new AppError('validation', subjectProblem, 'template.subject');
  }
  if (input.channel === 'email' && !input.subject)
    throw new AppError('validation', 'An email template needs a subject.', 'template.subject');
  if (input.whatsapp && input.channel !== 'whatsapp')
    throw new AppError(
      'validation',
      'Only a WhatsApp template has an approved WhatsApp template.',
      'template.whatsapp',
    );
  if (input.whatsapp) {
    const problem = parameterProblem(input.whatsapp.parameters);
    if (problem) throw new AppError('validation', problem, 'template.whatsapp.parameters');
  }
}

/** Saves a template (new without an id, else replacing the one with that id). */
export function saveTemplate(db: Database, input: TemplateInput, now: number): MessageTemplate {
  check(input);
  const stored = readStored(db);
  const existing = input.id === undefined ? undefined : stored.templates.find((t) => t.id === input.id);
  if (input.id !== undefined && !existing)
    throw new AppError('not_found', `There is no template #${input.id}: it may have been deleted.`);
  const clash = stored.templates.find(
    (t) => t.id !== input.id && t.name.trim().toLowerCase() === input.name.trim().toLowerCase(),
  );
  if (clash)
    throw new AppError('conflict', `There is already a template called "${clash.name}". Give this one another name.`);
  const template: MessageTemplate = {
    id: existing?.id ?? stored.nextId,
    name: input.name,
    channel: input.channel,
    subject: input.channel === 'email' ? input.subject : null,
    body: input.body,
    whatsapp: input.whatsapp ? { ...input.whatsapp, parameters: input.whatsapp.parameters.map(parameterField) } : null,
    updatedAt: new Date(now).toISOString(),
  };
  const templates = existing
    ? stored.templates.map((t) => (t.id === template.id ? template : t))
    : [...stored.templates, template];
  writeSettingJson(db, TEMPLATES_KEY, { nextId: Math.max(stored.nextId, template.id + 1), templates }, now);
  return template;
}

export function deleteTemplate(db: Database, id: number, now: number): boolean {
  const stored = readStored(db);
  const templates = stored.templates.filter((t) => t.id !== id);
  if (templates.length === stored.templates.length) return false;
  writeSettingJson(db, TEMPLATES_KEY, { nextId: stored.nextId, templates }, now);
  return true;
}

const partialFallbacks = fallbacksSchema.partial();

/** The shop's fallbacks, each field's default where it chose none. */
export function readFallbacks(db: Database): TemplateFallbacks {
  return { ...steady('fallbacks', () => readStoredFallbacks(db)) };
}

function readStoredFallbacks(db: Database): TemplateFallbacks {
  const raw = readSettingJson(db, FALLBACKS_KEY);
  const parsed = partialFallbacks.safeParse(raw);
  const out: TemplateFallbacks = { ...DEFAULT_FALLBACKS };
  if (!parsed.success) return out;
  for (const [field, text] of Object.entries(parsed.data) as [keyof TemplateFallbacks, string | undefined][])
    if (text) out[field] = text;
  return out;
}

export function saveFallbacks(db: Database, changes: Partial<TemplateFallbacks>, now: number): TemplateFallbacks {
  const next = { ...readFallbacks(db) };
  for (const [field, text] of Object.entries(changes) as [keyof TemplateFallbacks, string | undefined][]) {
    if (text === undefined) continue;
    const problem = fieldProblem(text, `The fallback for ${field}`);
    if (problem || text.includes('{') || text.includes('}'))
      throw new AppError('validation', `The fallback for ${field} cannot hold braces or fields.`, `fallbacks.${field}`);
    next[field] = text;
  }
  writeSettingJson(db, FALLBACKS_KEY, next, now);
  return next;
}
