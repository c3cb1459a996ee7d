/**
 * `constintel automations add | list | run` in real processes on a real data file, with a real SMTP server on
 * loopback: a bad option is refused in words naming it, exit 1, nothing written; a recipe is added (off, or on with
 * --enable) and printed with its id as JSON; the list shows it; switched on or run while the app is not running, the
 * command sends what it wrote itself (the customers at risk with a yes to email get one mail each, the others none),
 * and running it again sends nothing twice.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../../main/core/channels/consent';
import { fixedClock, systemClock } from '../../../main/core/clock';
import { appRoot } from '../../../main/core/paths';
import { type AutomationView, RECIPES, type RunResult } from '../../../shared/contract/automations';
import { ingestOne, tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { type SmtpPeer, smtpPeer } from '../../support/provider-fakes';
import { builtScript } from '../../support/spawn';

/** The part of a retrain's stored artifact that readers of the active version use (its date and horizons). */
const artifactAsOf = (asOf: number) => JSON.stringify({ asOf, horizons: { churnDays: 90, ltvDays: 365 } });

const dir = tempDir('constintel-automations-cli-');
let smtp: SmtpPeer;

/** Runs the built `constintel automations …` without blocking this process (the SMTP peer answers from here). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [builtScript('cli'), 'automations', ...args, '--data-dir', dir.path], {
    cwd: appRoot(),
    env: { ...process.env, CONSTINTEL_DATA_DIR: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** A zone where it is `hour` o'clock now: midday keeps quiet hours (21:00–8:00) off the test's marketing mail. */
function zoneAt(hour: number): string {
  let offset = new Date().getUTCHours() - hour;
  if (offset > 12) offset -= 24;
  if (offset < -12) offset += 24;
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '+' : '-'}${Math.abs(offset)}`;
}

function count(sql: string): number {
  const db = new Sqlite(join(dir.path, 'constintel.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

const PEOPLE = [
  { email: 'ann@example.com', churn: 0.92, yes: true },
  { email: 'bob@example.com', churn: 0.85, yes: true },
  { email: 'cara@example.com', churn: 0.8, yes: true },
  { email: 'dan@example.com', churn: 0.95, yes: false },
  { email: 'eve@example.com', churn: 0.1, yes: true },
];

beforeAll(async () => {
  smtp = await smtpPeer();
  const now = Date.now();
  const shop = await testBackend({ dataDir: dir.path, clock: fixedClock(new Date(now - 60_000).toISOString()) });
  try {
    await shop.call('settings.update', { brandName: 'Corner Shop', timeZone: zoneAt(12), defaultCountry: 'US' });
    await shop.call('channels.saveEmail', {
      host: '127.0.0.1',
      port: smtp.port,
      security: 'none',
      fromAddress: 'hello@corner-shop.test',
    });
    await shop.call('templates.save', {
      template: {
        name: 'We miss you',
        channel: 'email',
        subject: 'We miss you, {{first_name}}',
        body: 'Hello {{first_name}}, it has been a while. {{unsubscribe_link}}',
      },
    });
    const at = now - 200 * 86_400_000;
    const ids = PEOPLE.map((p, i) => {
      const id = ingestOne(
        shop,
        ev({
          type: 'purchase',
          source: 'api',
          occurredAt: new Date(at).toISOString(),
          identifiers: { email: p.email },
          payload: { total: 40 + i, currency: 'GBP', firstName: p.email.split('@')[0] },
        }),
      ).profileId as number;
      if (p.yes)
        recordConsent(shop.db, { profileId: id, channel: 'email', state: 'yes', source: 'shop', occurredAt: at, now });
      return id;
    });
    // A retrain's scores, as registry.ts stores them.
    const version = Number(
      shop.db.sqlite
        .prepare(
          `INSERT INTO model_version (brand_id, kind, method, metrics, artifact, training_rows, duration_ms, active, created_at)
           VALUES (1, 'scores', 'bgnbd', '{}', ?, 5, 10, 1, ?)`,
        )
        .run(artifactAsOf(now), now).lastInsertRowid,
    );
    const insert = shop.db.sqlite.prepare(
      `INSERT INTO predictions (profile_id, brand_id, churn_score, ltv_score, segment, model_version, predicted_at)
       VALUES (?, 1, ?, 120, 'At risk', ?, ?)`,
    );
    for (const [i, p] of PEOPLE.entries()) insert.run(ids[i], p.churn, version, now);
  } finally {
    await shop.close();
  }
}, 60_000);

afterAll(async () => {
  await smtp.close();
  dir.remove();
});

describe('constintel automations', () => {
  it('refuses a bad option in words naming it, with exit 1, and writes nothing', async () => {
    const recipe = await cli(['add', '--recipe', 'winback']);
    expect(recipe.status).toBe(1);
    expect(recipe.stderr).toContain('There is no recipe called "winback"');
    for (const name of RECIPES) expect(recipe.stderr).toContain(name);

    const channel = await cli(['add', '--recipe', 'win-back', '--channel', 'pigeon']);
    expect(channel.status).toBe(1);
    expect(channel.stderr).toMatch(/--channel must be email, sms or whatsapp/);

    const threshold = await cli(['add', '--recipe', 'win-back', '--threshold', 'lots']);
    expect(threshold.status).toBe(1);
    expect(threshold.stderr).toMatch(/--threshold must be a number/);

    const range = await cli(['add', '--recipe', 'win-back', '--threshold', '250']);
    expect(range.status).toBe(1);
    expect(range.stderr).toMatch(/--threshold/);

    const holdout = await cli(['add', '--recipe', 'win-back', '--holdout', 'some']);
    expect(holdout.status).toBe(1);
    expect(holdout.stderr).toMatch(/--holdout must be a whole percentage such as 10/);
    const tooMany = await cli(['add', '--recipe', 'win-back', '--holdout', '80']);
    expect(tooMany.status).toBe(1);
    expect(tooMany.stderr).toMatch(/At most half can be held out as a comparison/);

    const noLevel = await cli(['add', '--recipe', 'welcome', '--threshold', '5']);
    expect(noLevel.status).toBe(1);
    expect(noLevel.stderr).toMatch(/--threshold does not apply to the welcome recipe/);

    const missing = await cli(['add']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--recipe/);

    const notNumber = await cli(['run', 'abc']);
    expect(notNumber.status).toBe(1);
    expect(notNumber.stderr).toMatch(/"abc" is not an automation number/);

    const nobody = await cli(['run', '999']);
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toMatch(/999/);

    expect(count('SELECT count(*) FROM marketing_automation')).toBe(0);
    // Not even the recipe's template (filling in a recipe saves one): a refusal leaves nothing behind.
    expect(count("SELECT count(*) FROM setting WHERE key = 'channels.templates' AND value LIKE '%Win back%'")).toBe(0);
    expect(smtp.mails).toHaveLength(0);
  }, 60_000);

  it('adds a recipe (off) and prints it with its id; the list shows it', async () => {
    const added = await cli(['add', '--recipe', 'win-back', '--channel', 'email', '--threshold', '70', '--json']);
    expect(added.status, added.stderr).toBe(0);
    const automation = JSON.parse(added.stdout) as AutomationView;
    expect(automation).toMatchObject({ enabled: false, recipe: 'win-back', trigger: { type: 'churn_risk' } });
    expect(automation.id).toBeGreaterThan(0);
    expect(automation.trigger).toMatchObject({ atLeast: 70 });
    expect(automation.actions).toContainEqual(expect.objectContaining({ type: 'send', channel: 'email' }));

    const text = await cli(['add', '--recipe', 'welcome']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Added automation #\d+ ".+", off/m);

    const listed = await cli(['list', '--json']);
    expect(listed.status, listed.stderr).toBe(0);
    const all = JSON.parse(listed.stdout) as AutomationView[];
    expect(all.map((a) => a.recipe).sort()).toEqual(['welcome', 'win-back']);
    const plain = await cli(['list']);
    expect(plain.stdout).toContain(`#${automation.id} ${automation.name} — off`);
    expect(smtp.mails).toHaveLength(0);
  }, 60_000);

  it('switched on with --enable while the app is not running: it sends to the customers at risk with a yes, once', async () => {
    // Nobody held out as a comparison: each customer at risk with a yes is to get it.
    const enabled = await cli([
      'add',
      '--recipe',
      'win-back',
      '--channel',
      'email',
      '--threshold',
      '75',
      '--holdout',
      '0',
      '--enable',
    ]);
    expect(enabled.status, enabled.stderr).toBe(0);
    expect(enabled.stdout).toMatch(/^Added automation #(\d+) ".+", switched on/m);
    const id = Number(/#(\d+)/.exec(enabled.stdout)?.[1]);
    const recipients = smtp.mails.flatMap((m) => m.to).sort();
    expect(recipients).toEqual(['ann@example.com', 'bob@example.com', 'cara@example.com']);

    const again = await cli(['run', String(id), '--json']);
    expect(again.status, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout) as RunResult;
    expect(result).toMatchObject({ automationId: id, fired: 0 });
    expect(smtp.mails).toHaveLength(3);
    expect(count("SELECT count(*) FROM message_outbox WHERE source = 'automation'")).toBe(3);

    const words = await cli(['run', String(id)]);
    expect(words.status, words.stderr).toBe(0);
    expect(words.stdout).toMatch(new RegExp(`^Ran automation #${id}: \\d+ customers? looked at`, 'm'));
  }, 60_000);

  it('only writes the messages when the app is running, and the app sends them', async () => {
    const app = await testBackend({ dataDir: dir.path, clock: systemClock, lock: true });
    try {
      const added = await cli(['add', '--recipe', 'win-back', '--threshold', '90', '--holdout', '0', '--enable']);
      expect(added.status, added.stderr).toBe(0);
      expect(added.stdout).toMatch(/switched on: .*ConstIntel \(running\) sends the messages\./);
      const deadline = Date.now() + 15_000;
      while (smtp.mails.length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      // Ann (0.92) is the one customer at 90% or more with a yes to email; her second message this week is allowed.
      expect(smtp.mails.slice(3).flatMap((m) => m.to)).toEqual(['ann@example.com']);
    } finally {
      await app.close();
    }
  }, 60_000);
});
