/**
 * `constintel messages [--json]`: the outbox from a terminal — newest first, each message's status and, for every
 * hold, failure, cancel or unknown, the reason. Reads beside the running app (it only reads).
 */
import type { Command } from 'commander';
import { messageStatusSchema } from '../shared/contract/messages';
import { openForCommand } from './cli-context';
import { listMessages } from './core/channels/messages';
import { resolveDataDir } from './core/paths';

export function addMessagesCommands(program: Command): void {
  program
    .command('messages')
    .description('List the messages to customers (newest first) with the reason for every hold or failure.')
    .option('--status <status>', `only this status (${messageStatusSchema.options.join(', ')})`)
    .option('--limit <n>', 'at most this many (default 200)')
    .option('--json', 'print JSON')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action((opts: { status?: string; limit?: string; json?: boolean; dataDir?: string }) => {
      const status = opts.status === undefined ? undefined : messageStatusSchema.safeParse(opts.status);
      if (status && !status.success) {
        process.stderr.write(`--status must be one of ${messageStatusSchema.options.join(', ')}\n`);
        process.exitCode = 2;
        return;
      }
      const limit = opts.limit === undefined ? 200 : Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
        process.stderr.write('--limit must be a whole number from 1\n');
        process.exitCode = 2;
        return;
      }
      const ctx = openForCommand(resolveDataDir({ flag: opts.dataDir }));
      try {
        const messages = listMessages(ctx.db, { status: status?.data, limit });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ messages }, null, 2)}\n`);
          return;
        }
        if (messages.length === 0) {
          process.stdout.write(status?.data ? `No ${status.data} messages.\n` : 'No messages yet.\n');
          return;
        }
        for (const m of messages) {
          const cost = m.cost === null ? '' : ` ${m.cost} ${m.currency ?? ''}`;
          const reason = m.reason ? ` — ${m.reason}` : '';
          process.stdout.write(
            `#${m.id} ${m.createdAt} ${m.channel} ${m.kind} to ${m.recipient}: ${m.status}${cost}${reason}\n`,
          );
        }
      } finally {
        ctx.db.close();
      }
    });
}
