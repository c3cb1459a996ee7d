/**
 * Calls to the shop's own systems an automation asked for ("call a URL"): each was written to `automation_call` with
 * the decision, and is sent here once: marked `sending` (committed) before the POST, then `done` (2xx), `failed`
 * (a refusal, or a connection never made) or `unknown` (no answer: it may have arrived, so it is never repeated).
 * The body carries `X-ConstIntel-Signature: sha256=<HMAC-SHA256 of the body>` with the shop's key (signing.ts).
 */
import { postToProvider } from '../channels/http-send';
import { defineService, type EngineContext } from '../context';
import { claimCall, finishCall, pendingCalls, recoverInterruptedCalls } from '../db/repos/automation-calls';

const TIMEOUT_MS = 15_000;

export class CallSender {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly ctx: EngineContext) {}

  start(): void {
    this.stopped = false;
    recoverInterruptedCalls(this.ctx.db, this.ctx.clock.now().getTime());
    this.kick();
  }

  stop(): void {
    this.stopped = true;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop()
      .catch((error: unknown) => this.ctx.logger.error('An automation could not call its address', error))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Sends everything pending now and waits for the answers (tests). */
  async drain(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const { db, clock } = this.ctx;
      for (const call of pendingCalls(db, 50)) {
        if (this.stopped || !db.sqlite.open) return;
        if (!claimCall(db, call.id, clock.now().getTime())) continue;
        const { body, signature } = JSON.parse(call.body) as { body: string; signature: string };
        const attempt = await postToProvider(
          call.url,
          {
            headers: { 'content-type': 'application/json', 'x-constintel-signature': `sha256=${signature}` },
            body,
          },
          { timeoutMs: TIMEOUT_MS, provider: call.url },
        );
        if (!db.sqlite.open) return;
        const now = clock.now().getTime();
        if (attempt.kind === 'answered')
          finishCall(
            db,
            call.id,
            attempt.status < 300 ? 'done' : 'failed',
            `The address answered ${attempt.status}.`,
            now,
          );
        else finishCall(db, call.id, attempt.kind === 'not_sent' ? 'failed' : 'unknown', attempt.reason, now);
      }
    } while (this.again && !this.stopped);
  }
}

export const callSenderOf = defineService((ctx) => new CallSender(ctx));
