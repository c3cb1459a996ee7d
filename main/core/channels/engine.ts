/** The channels engine: email (SMTP), WhatsApp (Cloud API) and SMS (Twilio) set up in Settings → Channels. */
import { channelsHandlers } from '../api/channels';
import { defineEngine } from '../engine';

export const channelsEngine = defineEngine({ name: 'channels', handlers: channelsHandlers });
