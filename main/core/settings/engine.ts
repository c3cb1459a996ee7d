/** The settings engine: what the app is (`app.info`), Settings and the event API key. */
import { appHandlers } from '../api/app';
import { settingsHandlers } from '../api/settings';
import { defineEngine } from '../engine';

export const settingsEngine = defineEngine({
  name: 'settings',
  handlers: { ...appHandlers, ...settingsHandlers },
});
