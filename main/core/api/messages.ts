/** Handlers for `messages.*`: the outbox as the Messages page lists it. */
import { listMessages } from '../channels/messages';
import { handlers } from './registry';

export const messagesHandlers = handlers({
  'messages.list': (input, { db }) => ({ messages: listMessages(db, input) }),
});
