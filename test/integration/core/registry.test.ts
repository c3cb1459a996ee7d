import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildRegistry, type HandlerContext, type HandlerTable } from '../../../main/core/api/registry';
import { ENGINES } from '../../../main/core/backend';
import { fixedClock, silentLogger } from '../../../main/core/clock';
import { createEngineContext } from '../../../main/core/context';
import { openDatabase } from '../../../main/core/db/open';
import { composeEngines, defineEngine } from '../../../main/core/engine';
import { MemorySecretStore } from '../../../main/core/secrets/secret-store';
import { command } from '../../../shared/contract/define';
import { AppError } from '../../../shared/contract/errors';
import { inMemoryBackend, TEST_NOW } from '../../support/backend';

const table = {
  'demo.echo': command('echo', z.object({ text: z.string() }).strict(), z.object({ text: z.string() })),
  'demo.broken': command('returns the wrong shape', z.object({}), z.object({ n: z.number() })),
  'demo.fails': command('throws', z.object({}), z.null()),
};
type Loose = Record<string, (input: never) => unknown>;
const good: Loose = {
  'demo.echo': (input: { text: string }) => ({ text: input.text }),
  'demo.broken': () => ({ n: 'not a number' }),
  'demo.fails': () => {
    throw new Error('database on fire');
  },
};
const errors: string[] = [];
const ctx = {
  logger: { info() {}, warn() {}, error: (m: string) => errors.push(m) },
} as unknown as HandlerContext;
const build = (...domains: Loose[]) => buildRegistry(domains as unknown as HandlerTable[], table);

describe('buildRegistry', () => {
  it('fails at start when a command has no handler', () => {
    expect(() => build({ 'demo.echo': good['demo.echo'] as never })).toThrow('No handler for: demo.broken, demo.fails');
  });

  it('fails at start when a command has two handlers', () => {
    expect(() => build(good, { 'demo.echo': good['demo.echo'] as never })).toThrow(
      'Command "demo.echo" has two handlers',
    );
  });

  it('fails at start on a handler for an undeclared command', () => {
    expect(() => build(good, { 'demo.extra': () => null })).toThrow('does not declare');
  });

  it('covers the real contract exactly', () => {
    expect(() => composeEngines(ENGINES)).not.toThrow();
  });
});

describe('composeEngines', () => {
  const job = { name: 'checkouts.sweep', description: 'again', cron: '* * * * *', run: () => undefined };
  it('refuses a second engine of the same name, subscriber, job or command', () => {
    expect(() => composeEngines([...ENGINES, defineEngine({ name: 'ingest' })])).toThrow(
      'Two engines declare the engine "ingest"',
    );
    expect(() => composeEngines([...ENGINES, defineEngine({ name: 'late', jobs: [job] })])).toThrow(
      'Two engines declare the scheduled job "checkouts.sweep"',
    );
    const sub = { stream: 'events.raw' as const, name: 'x.seen', effect: 'database' as const, handle: () => undefined };
    expect(() =>
      composeEngines([
        ...ENGINES,
        defineEngine({ name: 'a', subscriptions: [sub] }),
        defineEngine({ name: 'b', subscriptions: [sub] }),
      ]),
    ).toThrow('Two engines declare the stream subscriber "x.seen"');
    const again = defineEngine({ name: 'again', handlers: { 'jobs.list': () => ({ timeZone: 'UTC', jobs: [] }) } });
    expect(() => composeEngines([...ENGINES, again])).toThrow('Command "jobs.list" has two handlers');
  });

  it('starts engines in order and stops them in reverse', async () => {
    const seen: string[] = [];
    const probe = (name: string) =>
      defineEngine({ name, start: () => void seen.push(`start ${name}`), stop: () => void seen.push(`stop ${name}`) });
    const composed = composeEngines([...ENGINES, probe('first'), probe('second')]);
    const db = openDatabase(':memory:');
    const ctx = createEngineContext({
      db,
      clock: fixedClock(TEST_NOW),
      logger: silentLogger,
      dataDir: '/nonexistent',
      brandId: 1,
      secrets: new MemorySecretStore(),
    });
    composed.start(ctx);
    composed.stop(ctx);
    db.close();
    expect(seen).toEqual(['start first', 'start second', 'stop second', 'stop first']);
  });
});

describe('dispatch', () => {
  const registry = build(good);

  it('answers a declared command', async () => {
    expect(await registry.dispatch('demo.echo', { text: 'hi' }, ctx)).toEqual({ ok: true, result: { text: 'hi' } });
  });

  it('answers not_found for an unknown command, including Object prototype names', async () => {
    for (const name of ['demo.nope', 'toString', '__proto__']) {
      const response = await registry.dispatch(name, {}, ctx);
      expect(response).toMatchObject({ ok: false, error: { kind: 'not_found' } });
    }
  });

  it('answers validation naming the field', async () => {
    expect(await registry.dispatch('demo.echo', { text: 3 }, ctx)).toMatchObject({
      ok: false,
      error: { kind: 'validation', field: 'text' },
    });
  });

  it('hides internal failures behind one plain message and logs them', async () => {
    errors.length = 0;
    expect(await registry.dispatch('demo.fails', {}, ctx)).toEqual({
      ok: false,
      error: { kind: 'internal', message: 'Something went wrong inside ConstIntel. Details are in the log.' },
    });
    expect(await registry.dispatch('demo.broken', {}, ctx)).toMatchObject({ ok: false, error: { kind: 'internal' } });
    expect(errors).toHaveLength(2);
  });

  it('passes AppErrors through unchanged', async () => {
    const registry2 = build({
      ...good,
      'demo.fails': () => {
        throw new AppError('conflict', 'Already done.');
      },
    });
    expect(await registry2.dispatch('demo.fails', {}, ctx)).toEqual({
      ok: false,
      error: { kind: 'conflict', message: 'Already done.' },
    });
  });
});

describe('in-process transport', () => {
  it('gives typed results and throws AppError with the same kind', async () => {
    const backend = await inMemoryBackend();
    try {
      const info = await backend.call('app.info', {});
      expect(info.uiUrl).toBeNull();
      expect(info.databaseFile).toBe(':memory:');
      await expect(backend.call('settings.update', { uiPort: 1 })).rejects.toMatchObject({
        kind: 'validation',
        field: 'uiPort',
      });
    } finally {
      await backend.close();
    }
  });
});
