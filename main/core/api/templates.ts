/** Handlers for `templates.*`: the shop's message templates and the fallback text of each field. */
import { TEMPLATE_FIELDS } from '../../../shared/contract/templates';
import { deleteTemplate, listTemplates, readFallbacks, saveFallbacks, saveTemplate } from '../channels/template-store';
import { FIELD_DESCRIPTIONS } from '../channels/templates';
import { handlers } from './registry';

export const templatesHandlers = handlers({
  'templates.list': (_input, { db }) => ({
    templates: listTemplates(db),
    fallbacks: readFallbacks(db),
    fields: TEMPLATE_FIELDS.map((field) => ({ field, description: FIELD_DESCRIPTIONS[field] })),
  }),

  'templates.save': ({ template }, { db, clock }) => ({
    template: db.sqlite.transaction(() => saveTemplate(db, template, clock.now().getTime())).immediate(),
  }),

  'templates.delete': ({ id }, { db, clock }) => ({
    deleted: db.sqlite.transaction(() => deleteTemplate(db, id, clock.now().getTime())).immediate(),
  }),

  'templates.saveFallbacks': ({ fallbacks }, { db, clock }) => ({
    fallbacks: db.sqlite.transaction(() => saveFallbacks(db, fallbacks, clock.now().getTime())).immediate(),
  }),
});
