/** Handlers for `messages.*`: the outbox as the Messages page lists it, and Customer 360's "Send a message". */
import { composeMessage, sendMessage, sendOptions } from '../channels/compose';
import { listMessages } from '../channels/messages';
import { handlers } from './registry';

export const messagesHandlers = handlers({
  'messages.list': (input, { db }) => ({ messages: listMessages(db, input) }),

  'messages.options': ({ profileId }, ctx) => ({ channels: sendOptions(ctx, profileId) }),

  'messages.preview': (input, ctx) => {
    const { body: _body, profileId: _profileId, decision: _decision, ...preview } = composeMessage(ctx, input);
    return preview;
  },

  'messages.send': (input, ctx) => {
    const { message, verdict } = sendMessage(ctx, input, 'customer360');
    return { message, verdict };
  },
});
