/**
 * The channels engine: email (SMTP), WhatsApp (Cloud API) and SMS (Twilio) set up in Settings → Channels, and the
 * message templates. While it runs, WhatsApp's late failures (131047, 131049) can write the message again.
 */
import { channelsHandlers } from '../api/channels';
import { templatesHandlers } from '../api/templates';
import { defineEngine } from '../engine';
import { forgetResendContext, rememberResendContext } from './status-updates';

export const channelsEngine = defineEngine({
  name: 'channels',
  handlers: { ...channelsHandlers, ...templatesHandlers },
  start(ctx) {
    rememberResendContext(ctx);
  },
  stop(ctx) {
    forgetResendContext(ctx);
  },
});
