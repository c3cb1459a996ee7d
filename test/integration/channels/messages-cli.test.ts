/** `constintel messages [--json]`: the outbox from a terminal, with the reason for every hold, in a real process. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enqueueMessage } from '../../../main/core/channels/outbox';
import { PAUSED_REASON } from '../../../main/core/channels/outbox-guards';
import { appRoot } from '../../../main/core/paths';
import type { MessageView } from '../../../shared/contract/messages';
import { tempDirs, testBackend } from '../../support/backend';

const newDir = tempDirs();

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(appRoot(), 'main/cli.ts'), ...args], {
    cwd: appRoot(),
    encoding: 'utf8',
    env: { ...process.env, CONSTINTEL_DATA_DIR: '' },
  });
}

describe('constintel messages', () => {
  it('lists the messages newest first, with the reason for a hold or a cancel, as text and as JSON', async () => {
    const dataDir = newDir();
    const backend = await testBackend({ dataDir });
    await backend.call('settings.update', { sendingPaused: true, messagePrices: { sms: 0.05, whatsapp: null } });
    const first = enqueueMessage(backend.ctx, { channel: 'sms', to: '+447700900123', text: 'One', kind: 'service' });
    const second = enqueueMessage(backend.ctx, { channel: 'email', to: 'a@example.com', subject: 'Two', text: 'Two' });
    await backend.close();

    const json = cli(['messages', '--json', '--data-dir', dataDir]);
    expect(json.status, json.stderr).toBe(0);
    const { messages } = JSON.parse(json.stdout) as { messages: MessageView[] };
    expect(messages.map((m) => [m.id, m.status, m.reason])).toEqual([
      [second.id, 'cancelled', 'Marketing goes only to a known customer'],
      [first.id, 'held', PAUSED_REASON],
    ]);
    expect(messages[1]).toMatchObject({ channel: 'sms', cost: 0.05, summary: 'One', kind: 'service' });

    const text = cli(['messages', '--data-dir', dataDir]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(`#${first.id} `);
    expect(text.stdout).toContain(`sms service to +447700900123: held 0.05 `);
    expect(text.stdout).toContain(`— ${PAUSED_REASON}`);

    const bad = cli(['messages', '--status', 'lost', '--data-dir', dataDir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--status must be one of');
  }, 60_000);
});
