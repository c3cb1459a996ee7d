/**
 * Rendering templates: each field filled with the customer's value or the shop's fallback (named), in one pass;
 * whatever a profile holds (hostile values: NUL, half emoji, "null", "undefined", braces, 20,000 characters, other
 * fields' names), the text that goes out never holds `{{`, `}}`, "undefined" or "null", nor a broken character.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cleanFully,
  cleanValue,
  DEFAULT_FALLBACKS,
  fieldProblem,
  renderTemplate,
  UnrenderableText,
} from '../../../main/core/channels/templates';
import { TEMPLATE_FIELDS } from '../../../shared/contract/templates';
import { hostile, longText, weirdText } from '../../support/hostile-values';

const ALL = TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(' | ');
const source = { body: `Hi ${ALL}`, subject: 'For {{first_name}}', parameters: [...TEMPLATE_FIELDS] };

describe('renderTemplate', () => {
  it('fills the fields with the values, and names those that fell back', () => {
    const out = renderTemplate(
      source,
      { first_name: 'Ann', shop_name: 'Corner Shop', last_product: 'Coffee beans 1kg' },
      { ...DEFAULT_FALLBACKS, recommended_product: 'our espresso' },
    );
    expect(out.text).toBe(
      `Hi Ann | Corner Shop | our espresso | Coffee beans 1kg | ${DEFAULT_FALLBACKS.unsubscribe_link}`,
    );
    expect(out.subject).toBe('For Ann');
    expect(out.parameters).toEqual([
      'Ann',
      'Corner Shop',
      'our espresso',
      'Coffee beans 1kg',
      DEFAULT_FALLBACKS.unsubscribe_link,
    ]);
    expect(out.fellBack).toEqual(['recommended_product', 'unsubscribe_link']);
  });

  it('never reads a value as a field (one pass), and spaces inside the braces are allowed', () => {
    const out = renderTemplate(
      { body: 'Hi {{ first_name }}, {{last_product}}' },
      { first_name: '{{last_product}}', last_product: '{{first_name}}' },
      DEFAULT_FALLBACKS,
    );
    expect(out.text).toBe('Hi last_product, first_name');
  });

  it('refuses text with an unknown or unfinished field instead of sending it', () => {
    expect(() => renderTemplate({ body: 'Hi {{name}}' }, {}, DEFAULT_FALLBACKS)).toThrow(UnrenderableText);
    expect(() => renderTemplate({ body: 'Hi {{first_name' }, {}, DEFAULT_FALLBACKS)).toThrow(/not a whole field/);
    expect(fieldProblem('Hi }} there', 'The message')).toMatch(/not a whole field/);
    expect(fieldProblem('Hi {{first_name}}', 'The message')).toBeUndefined();
  });

  it('falls back for values that mean nothing, and keeps real ones', () => {
    for (const nothing of ['', '   ', 'null', 'NULL', 'undefined', 'null null', '[object Object]', '\u0000', '{}', '-'])
      expect(cleanValue(nothing), JSON.stringify(nothing)).toBeNull();
    expect(cleanValue(42)).toBeNull();
    expect(cleanValue('  Ann\u0000 \n Marie ')).toBe('Ann Marie');
    expect(cleanValue('x\ud800y')).toBe('xy');
    expect(cleanValue('Zoë 😀')).toBe('Zoë 😀');
    expect(Array.from(cleanValue('Ann😀'.repeat(100)) ?? '')).toHaveLength(120);
  });

  it('its shortcut for values that need no cleaning gives what the full cleaning gives', () => {
    const alphabet = fc.constantFrom(..."aZé9 .,'’@:/?=&%+_~#!*()-{}[]\u0000\n\t😀\ud800".split(''), 'null', 'object ');
    const text = fc.oneof(
      fc.array(alphabet, { maxLength: 30 }).map((parts) => parts.join('')),
      hostile,
      weirdText,
      longText,
      fc.constantFrom('Ann', 'Zoë', "O'Neil-Smith", 'https://shop.example/u?t=ab%2F_~', '...', 'Anne  Marie', ' Ann'),
    );
    fc.assert(
      fc.property(text, fc.constantFrom(5, 120, 500), (value, max) => {
        if (typeof value !== 'string') return;
        expect(cleanValue(value, max)).toBe(cleanFully(value, max));
      }),
      { numRuns: 2000 },
    );
  });

  it('whatever the profile holds, the message never shows a field, "undefined" or "null"', () => {
    const value = fc.oneof(hostile, weirdText, longText, fc.constantFrom(...TEMPLATE_FIELDS.map((f) => `{{${f}}}`)));
    const values = fc.record(
      Object.fromEntries(TEMPLATE_FIELDS.map((f) => [f, value])) as Record<string, typeof value>,
    );
    fc.assert(
      fc.property(values, (v) => {
        const out = renderTemplate(source, v as Record<string, string>, DEFAULT_FALLBACKS);
        for (const text of [out.text, out.subject ?? '', ...out.parameters]) {
          expect(text).not.toMatch(/\{\{|\}\}|undefined|null/i);
          expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
          expect(text).not.toContain('\u0000');
        }
        expect(out.parameters.every((p) => p.trim().length > 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
