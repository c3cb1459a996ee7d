/**
 * Templates through the contract: saved, listed, changed and deleted; a field ConstIntel does not know is refused
 * with its name (in the body, the subject and the approved template's parameters); the fallbacks start from
 * defaults, are editable one at a time, and never empty.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { FALLBACKS_KEY, TEMPLATES_KEY } from '../../../main/core/channels/template-store';
import { DEFAULT_FALLBACKS } from '../../../main/core/channels/templates';
import { writeSettingJson } from '../../../main/core/db/repos/message-resend';
import { inMemoryBackend } from '../../support/backend';

let backend: Backend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

const email = {
  name: 'We miss you',
  channel: 'email' as const,
  subject: 'We miss you, {{first_name}}',
  body: 'Hello {{first_name}}, come back to {{shop_name}}. {{unsubscribe_link}}',
};

describe('templates', () => {
  it('lists the five fields with what each becomes, and the default fallbacks', async () => {
    backend = await inMemoryBackend();
    const view = await backend.call('templates.list', {});
    expect(view.templates).toEqual([]);
    expect(view.fields.map((f) => f.field)).toEqual([
      'first_name',
      'shop_name',
      'recommended_product',
      'last_product',
      'unsubscribe_link',
    ]);
    expect(view.fields.every((f) => f.description.length > 0)).toBe(true);
    expect(view.fallbacks).toEqual(DEFAULT_FALLBACKS);
  });

  it('saves a new template, changes it by id, and deletes it', async () => {
    backend = await inMemoryBackend();
    const { template } = await backend.call('templates.save', { template: email });
    expect(template).toMatchObject({ id: 1, ...email, whatsapp: null });
    const changed = await backend.call('templates.save', { template: { ...email, id: 1, name: 'Come back' } });
    expect(changed.template).toMatchObject({ id: 1, name: 'Come back' });
    const second = await backend.call('templates.save', {
      template: {
        name: 'Back in stock',
        channel: 'whatsapp',
        body: 'Hi {{first_name}}, {{recommended_product}} is back',
        whatsapp: {
          name: 'back_in_stock',
          language: 'en_GB',
          category: 'MARKETING',
          parameters: ['first_name', '{{recommended_product}}'],
        },
      },
    });
    expect(second.template.id).toBe(2);
    expect(second.template.whatsapp?.parameters).toEqual(['first_name', 'recommended_product']);
    expect((await backend.call('templates.list', {})).templates.map((t) => t.name)).toEqual([
      'Come back',
      'Back in stock',
    ]);
    expect(await backend.call('templates.delete', { id: 1 })).toEqual({ deleted: true });
    expect(await backend.call('templates.delete', { id: 1 })).toEqual({ deleted: false });
    const third = await backend.call('templates.save', { template: { ...email, name: 'Third' } });
    expect(third.template.id).toBe(3);
  });

  it('refuses a field it does not know, naming it, wherever it is', async () => {
    backend = await inMemoryBackend();
    const b = backend;
    await expect(b.call('templates.save', { template: { ...email, body: 'Hello {{firstname}}' } })).rejects.toThrow(
      /\{\{firstname\}\}, which ConstIntel does not know/,
    );
    await expect(b.call('templates.save', { template: { ...email, subject: 'For {{ customer }}' } })).rejects.toThrow(
      /The subject uses the field \{\{customer\}\}/,
    );
    await expect(b.call('templates.save', { template: { ...email, body: 'Hello {{first_name}' } })).rejects.toThrow(
      /not a whole field/,
    );
    await expect(
      b.call('templates.save', {
        template: {
          name: 'WA',
          channel: 'whatsapp',
          body: 'Hi',
          whatsapp: { name: 'hi', language: 'en', category: 'UTILITY', parameters: ['first_name', 'discount_code'] },
        },
      }),
    ).rejects.toThrow(/Parameter 2 of the approved template is "discount_code"/);
    await expect(b.call('templates.save', { template: { ...email, subject: null } })).rejects.toThrow(
      /needs a subject/,
    );
    expect((await b.call('templates.list', {})).templates).toEqual([]);
  });

  it('keeps the fallbacks the shop chose, one at a time, and refuses an empty one', async () => {
    backend = await inMemoryBackend();
    const saved = await backend.call('templates.saveFallbacks', { fallbacks: { first_name: 'friend' } });
    expect(saved.fallbacks).toEqual({ ...DEFAULT_FALLBACKS, first_name: 'friend' });
    await backend.call('templates.saveFallbacks', { fallbacks: { last_product: 'your coffee' } });
    expect((await backend.call('templates.list', {})).fallbacks).toMatchObject({
      first_name: 'friend',
      last_product: 'your coffee',
    });
    await expect(backend.call('templates.saveFallbacks', { fallbacks: { shop_name: '  ' } })).rejects.toThrow(
      /cannot be empty/,
    );
    await expect(backend.call('templates.saveFallbacks', { fallbacks: { shop_name: '{{x}}' } })).rejects.toThrow(
      /cannot hold braces/,
    );
  });

  it('leaves out a stored template that no longer reads, and reads damaged fallbacks as the defaults', async () => {
    backend = await inMemoryBackend();
    await backend.call('templates.save', { template: email });
    const now = Date.now();
    const { db } = backend.ctx;
    writeSettingJson(db, TEMPLATES_KEY, { nextId: 5, templates: [{ id: 9, name: 42 }] }, now);
    writeSettingJson(db, FALLBACKS_KEY, { first_name: '' }, now);
    const view = await backend.call('templates.list', {});
    expect(view.templates).toEqual([]);
    expect(view.fallbacks).toEqual(DEFAULT_FALLBACKS);
    expect((await backend.call('templates.save', { template: email })).template.id).toBe(5);
  });
});
