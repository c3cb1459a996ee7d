/**
 * The outbox's sending thread, seen from the main thread: a `ChannelSender` per channel setup whose sends run in
 * main/send-worker.ts (built to dist/main/send-worker.js). Composing mail and speaking SMTP and HTTP was about two
 * thirds of a message's CPU on the main thread, where page reads (`/rpc`) and webhooks wait behind it
 * (`npm run bench -- outbox`). Started on the first send, stopped with the outbox.
 *
 * At most once is unchanged: the outbox commits `sending` before it asks for a send and records the answer after.
 * If the thread stops while sends are in it (a crash, the outbox stopping), each of them answers `unknown` — the
 * request may have gone out — and the next send starts a new thread. Without the built script (code run from
 * source, not built), the senders run in the main thread as before.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { defineService, type EngineContext } from '../context';
import { appRoot } from '../paths';
import type { FromSendThread, SenderSetup, ToSendThread } from './send-protocol';
import { createSenderFromSetup } from './sender-setup';
import type { ChannelSender, OutgoingMessage, SendResult } from './types';

export const SEND_WORKER_SCRIPT = join(appRoot(), 'dist', 'main', 'send-worker.js');

export class SendThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, (result: SendResult) => void>();

  /** Whether sends can run in the thread (the built script is there); looked at once, not before every send. */
  readonly available: boolean;

  constructor(
    private readonly ctx: Pick<EngineContext, 'logger'>,
    private readonly script = SEND_WORKER_SCRIPT,
  ) {
    this.available = existsSync(script);
  }

  /** A sender for this setup: in the thread when it is available, else in this thread. */
  senderFor(setup: SenderSetup): ChannelSender {
    if (!this.available) return createSenderFromSetup(setup);
    return { channel: setup.channel, send: (message, signal) => this.send(setup, message, signal) };
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (answer: FromSendThread) => {
      const resolve = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      resolve?.(answer.result);
    });
    const gone = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, resolve] of this.waiting) {
        this.waiting.delete(id);
        resolve({
          outcome: 'unknown',
          reason: `ConstIntel's sending stopped (${why}) while this message was being sent: it may or may not have gone out, so it is not sent again.`,
        });
      }
    };
    worker.on('error', (error) => {
      this.ctx.logger.error('The sending thread stopped', error);
      gone(error.message);
    });
    worker.on('exit', (code) => gone(`the sending thread ended, code ${code}`));
    // Waiting sends keep the process alive through their promises; an idle thread must not.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private send(setup: SenderSetup, message: OutgoingMessage, signal?: AbortSignal): Promise<SendResult> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<SendResult>((resolve) => {
      this.waiting.set(id, resolve);
      signal?.addEventListener('abort', () => worker.postMessage({ type: 'abort', id } satisfies ToSendThread), {
        once: true,
      });
      worker.postMessage({ type: 'send', id, setup, message } satisfies ToSendThread);
    });
  }

  /** Stops the thread; sends still in it answer `unknown`. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await worker.terminate();
  }
}

export const sendThreadOf = defineService((ctx) => new SendThread(ctx));
