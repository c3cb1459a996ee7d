/**
 * A test-only backend process for the outbox crash test (run with `node --import tsx`): opens the data folder with
 * `createBackend`, gives the outbox a WhatsApp sender that POSTs to OUTBOX_CHILD_SINK (one send at a time, every
 * customer consenting), sends until nothing is due, prints the statuses as JSON and exits. The test kills it with
 * SIGKILL while the sink holds a request unanswered.
 *
 * OUTBOX_CHILD_DATA_DIR  the data folder
 * OUTBOX_CHILD_SINK      the sink's URL
 */
import { createBackend } from '../../main/core/backend';
import { configureOutbox } from '../../main/core/channels/outbox-worker';
import { silentLogger } from '../../main/core/clock';
import { httpSender } from './http-sender';

const dataDir = process.env.OUTBOX_CHILD_DATA_DIR ?? '';
const sink = process.env.OUTBOX_CHILD_SINK ?? '';

const backend = await createBackend({ dataDir, logger: silentLogger, listen: false });
const worker = configureOutbox(backend.ctx, {
  senderFor: (channel) => (channel === 'whatsapp' ? httpSender(sink, channel) : undefined),
  consent: () => ({ ok: true }),
  concurrency: 1,
  networkLatencyMs: 0,
});
await worker.drain();
const statuses = backend.db.sqlite.prepare('SELECT status, count(*) AS n FROM message_outbox GROUP BY status').all();
console.log(JSON.stringify({ statuses }));
await backend.close();
