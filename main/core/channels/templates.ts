/**
 * Template fields and rendering. A template's subject and body may hold `{{first_name}}`, `{{shop_name}}`,
 * `{{recommended_product}}`, `{{last_product}}` and `{{unsubscribe_link}}`; an approved WhatsApp template names,
 * in order, which field fills each of its body parameters. Rendering fills each field with the customer's value, or
 * the shop's fallback when the value is missing or unusable, in one pass (a value is never read as a field itself),
 * and says which fields fell back. What comes out never holds `{{`, `}}`, "undefined" or "null": a value carrying
 * them is cleaned first, and text that still would is refused rather than sent. Pure.
 */
import type { TemplateFallbacks, TemplateField } from '../../../shared/contract/templates';
import { TEMPLATE_FIELDS } from '../../../shared/contract/templates';

export const FIELD_DESCRIPTIONS: Record<TemplateField, string> = {
  first_name: "The customer's first name",
  shop_name: 'Your shop name (Settings)',
  recommended_product: 'The product ConstIntel would recommend to them next',
  last_product: 'The last product they bought',
  unsubscribe_link: 'A one-click unsubscribe link (needs the shop’s public address)',
};

/** The text a field falls back to until the shop chooses its own. Never empty. */
export const DEFAULT_FALLBACKS: TemplateFallbacks = {
  first_name: 'there',
  shop_name: 'our shop',
  recommended_product: 'something new we think you will like',
  last_product: 'your last order',
  unsubscribe_link: 'reply “unsubscribe” to stop these messages',
};

const FIELD = /\{\{\s*([^{}]*?)\s*\}\}/g;
const isField = (name: string): name is TemplateField => (TEMPLATE_FIELDS as readonly string[]).includes(name);

/** Texts already checked (a template's text is checked again for each of thousands of customers an automation meets). */
const checked = new Map<string, string | undefined>();

/** Texts already split into their words and fields (the same template is filled for thousands of customers). */
const split = new Map<string, string[]>();

/** A text as [words, field, words, field, …, words]: the fields (names) at odd places. */
function partsOf(text: string): string[] {
  let parts = split.get(text);
  if (!parts) {
    parts = [];
    let from = 0;
    for (const match of text.matchAll(FIELD)) {
      parts.push(text.slice(from, match.index), match[1] ?? '');
      from = match.index + match[0].length;
    }
    parts.push(text.slice(from));
    if (split.size >= 500) split.clear();
    split.set(text, parts);
  }
  return parts;
}

/** What is wrong with a text's fields, in the shop's words, or undefined when every field is known. */
export function fieldProblem(text: string, where: string): string | undefined {
  const key = `${where}\u0000${text}`;
  if (checked.has(key)) return checked.get(key);
  const problem = findFieldProblem(text, where);
  if (checked.size >= 500) checked.clear();
  checked.set(key, problem);
  return problem;
}

function findFieldProblem(text: string, where: string): string | undefined {
  for (const match of text.matchAll(FIELD)) {
    const name = match[1] ?? '';
    if (!isField(name))
      return `${where} uses the field {{${name}}}, which ConstIntel does not know. The fields are ${TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(', ')}.`;
  }
  const rest = text.replace(FIELD, '');
  if (rest.includes('{{') || rest.includes('}}'))
    return `${where} has a "{{" or "}}" that is not a whole field such as {{first_name}}: finish it or remove it.`;
  return undefined;
}

/** What is wrong with an approved template's parameter list, or undefined. */
export function parameterProblem(parameters: readonly string[]): string | undefined {
  for (const [i, name] of parameters.entries()) {
    const bare = name.replace(/^\{\{\s*|\s*\}\}$/g, '');
    if (!isField(bare))
      return `Parameter ${i + 1} of the approved template is "${name}", which is not a field ConstIntel knows. Use one of ${TEMPLATE_FIELDS.join(', ')}.`;
  }
  return undefined;
}

/** A parameter as written (`first_name` or `{{first_name}}`) as its field name. */
export const parameterField = (name: string): TemplateField => name.replace(/^\{\{\s*|\s*\}\}$/g, '') as TemplateField;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const OBJECT_TEXT = /\[object \w+\]/gi;
/** What an import or a broken till writes for "nothing": a value holding it is not trusted at all. */
const NOTHING_WORDS = /null|undefined/i;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/**
 * Words of letters, digits and common punctuation with single spaces between them: nothing to remove or collapse (no
 * braces, brackets, control characters or half emoji; so not "[object …]" either).
 */
const PLAIN = /^[\p{L}\p{N}.,'’@:/?=&%+_~#!*()-]+(?: [\p{L}\p{N}.,'’@:/?=&%+_~#!*()-]+)*$/u;

/**
 * A customer's value as it may appear in a message, or null when there is nothing usable: no NUL or control
 * characters, no half emoji, no braces (a value can never be, or make, a field), spaces collapsed, at most `max`
 * characters; a value holding "null" or "undefined" (what an import or a broken till writes for "nothing") is not
 * used at all.
 */
export function cleanValue(value: unknown, max = 120): string | null {
  if (typeof value !== 'string') return null;
  // Most values (a first name, a link) need none of the cleaning: a test instead of five replacements (an automation
  // writing 70,000 messages fills a field of each).
  if (value.length <= max && PLAIN.test(value) && LETTER_OR_DIGIT.test(value) && !NOTHING_WORDS.test(value))
    return value;
  return cleanFully(value, max);
}

/** `cleanValue` without its shortcut for values that need no cleaning (exported for the test that they agree). */
export function cleanFully(value: string, max: number): string | null {
  const cleaned = value
    .replace(LONE_SURROGATE, '')
    .replace(CONTROL, ' ')
    .replace(/[{}]/g, '')
    .replace(OBJECT_TEXT, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '' || NOTHING_WORDS.test(cleaned) || !LETTER_OR_DIGIT.test(cleaned)) return null;
  const chars = Array.from(cleaned);
  return chars.length > max
    ? `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`
    : cleaned;
}

export type FieldValues = Partial<Record<TemplateField, string | null>>;

export interface Rendered {
  text: string;
  subject: string | null;
  /** The approved template's parameters, filled in order. */
  parameters: string[];
  /** The fields that used the shop's fallback, in the order first met. */
  fellBack: TemplateField[];
}

/** Thrown when a text would reach a customer with a field left in it; the caller refuses the send. */
export class UnrenderableText extends Error {}

export function renderTemplate(
  source: { body: string; subject?: string | null; parameters?: readonly string[] },
  values: FieldValues,
  fallbacks: TemplateFallbacks,
): Rendered {
  const fellBack: TemplateField[] = [];
  const fieldText = (field: TemplateField): string => {
    const own = cleanValue(values[field] ?? null, field === 'unsubscribe_link' ? 500 : 120);
    if (own !== null) return own;
    if (!fellBack.includes(field)) fellBack.push(field);
    return cleanValue(fallbacks[field], 200) ?? DEFAULT_FALLBACKS[field];
  };
  const fill = (text: string, where: string): string => {
    const problem = fieldProblem(text, where);
    if (problem) throw new UnrenderableText(problem);
    const parts = partsOf(text);
    let out = parts[0] as string;
    for (let i = 1; i < parts.length; i += 2) out += fieldText(parts[i] as TemplateField) + parts[i + 1];
    if (out.includes('{{') || out.includes('}}')) throw new UnrenderableText(`${where} still holds a field.`);
    return out;
  };
  const problem = parameterProblem(source.parameters ?? []);
  if (problem) throw new UnrenderableText(problem);
  return {
    subject: source.subject ? fill(source.subject, 'The subject') : null,
    text: fill(source.body, 'The message'),
    parameters: (source.parameters ?? []).map((p) => fieldText(parameterField(p))),
    fellBack,
  };
}
