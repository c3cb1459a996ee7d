/**
 * The outbox's sending thread: composes each email and speaks SMTP and HTTP to the providers, so that work (about
 * two thirds of a message's CPU, measured by `npm run bench -- outbox`) no longer shares the main thread with page
 * reads and webhooks. It keeps one sender per channel setup (an SMTP pool, keep-alive HTTP agents) and answers each
 * send with what is certain about it. It never decides whether a message may go or marks it: the main thread does
 * that, before and after (outbox-worker.ts), so at most once holds whatever happens here.
 */
import { parentPort } from 'node:worker_threads';
import type { FromSendThread, SenderSetup, ToSendThread } from './core/channels/send-protocol';
import { createSenderFromSetup } from './core/channels/sender-setup';
import type { ChannelSender, SendResult } from './core/channels/types';

const port = parentPort;
if (!port) throw new Error('send-worker runs only as a worker thread');
const senders = new Map<string, ChannelSender>();
const sending = new Map<number, AbortController>();

function senderFor(setup: SenderSetup): ChannelSender {
  const key = JSON.stringify(setup);
  let sender = senders.get(key);
  if (!sender) {
    sender = createSenderFromSetup(setup);
    senders.set(key, sender);
  }
  return sender;
}

port.on('message', (message: ToSendThread) => {
  if (message.type === 'abort') {
    sending.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  sending.set(message.id, controller);
  const answer = (result: SendResult) => {
    sending.delete(message.id);
    port.postMessage({ id: message.id, result } satisfies FromSendThread);
  };
  senderFor(message.setup)
    .send(message.message, controller.signal)
    .then(answer, (error: unknown) =>
      answer({
        outcome: 'unknown',
        reason: `The send broke off (${(error as Error)?.message ?? String(error)}): it may or may not have gone out.`,
      }),
    );
});
