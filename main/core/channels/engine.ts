/** The channels engine: email (SMTP), WhatsApp (Cloud API) and SMS (Twilio) set up in Settings → Channels, and the message templates. */
import { channelsHandlers } from '../api/channels';
import { templatesHandlers } from '../api/templates';
import { defineEngine } from '../engine';

export const channelsEngine = defineEngine({
  name: 'channels',
  handlers: { ...channelsHandlers, ...templatesHandlers },
});
