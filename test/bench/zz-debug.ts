import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../../main/core/backend';
import { fixedClock, silentLogger } from '../../main/core/clock';
import { eventInputSchema } from '../../shared/events';
import { generatePopulation } from '../support/population';

const kind = process.argv[2] ?? 'online_only';
const limit = Number(process.argv[3] ?? 5);
const pop = generatePopulation({ persons: Number(process.argv[4] ?? 2000), seed: 20260301 });
const dir = mkdtempSync(join(tmpdir(), 'dbg-'));
const b = await createBackend({
  dataDir: dir,
  databaseFile: join(dir, 'c.db'),
  listen: false,
  logger: silentLogger,
  clock: fixedClock('2026-03-01T12:00:00Z'),
});
await b.call('settings.update', { defaultCountry: 'GB' });
const parsed = pop.events.map((e) => eventInputSchema.parse(e.input));
for (let i = 0; i < parsed.length; i += 500) b.core.ingest(parsed.slice(i, i + 500));
const prof = new Map(
  (
    b.db.sqlite.prepare('SELECT external_id, customer_profile_id p FROM customer_raw_event').all() as {
      external_id: string;
      p: number | null;
    }[]
  ).map((r) => [r.external_id, r.p]),
);
const byPerson = new Map<number, typeof pop.events>();
for (const e of pop.events)
  if (e.personId !== null && e.identified) {
    const l = byPerson.get(e.personId) ?? [];
    l.push(e);
    byPerson.set(e.personId, l);
  }
let shown = 0;
const mode = process.argv[5] ?? 'split';
if (mode === 'split') {
  for (const [pid, evs] of byPerson) {
    const p = pop.persons[pid - 1];
    if (p?.kind !== kind) continue;
    const profiles = new Set(evs.map((e) => prof.get(String(e.input.externalId))));
    if (profiles.size < 2) continue;
    console.log(
      'PERSON',
      pid,
      p.kind,
      p.emails,
      p.phone?.e164,
      'family',
      p.familyId,
      'owns',
      p.ownsPhone,
      'pos',
      p.posId,
      'shop',
      p.shopifyId,
      'loy',
      p.loyaltyId,
      'cookie',
      p.cookieId,
    );
    for (const e of evs)
      console.log(
        '  ',
        e.input.occurredAt.slice(0, 10),
        e.input.source,
        e.input.type,
        JSON.stringify(e.input.identifiers),
        '->',
        prof.get(String(e.input.externalId)),
      );
    if (++shown >= limit) break;
  }
} else {
  // mixed profiles containing persons of this kind
  const personsOf = new Map<number, Set<number>>();
  for (const [pid, evs] of byPerson)
    for (const e of evs) {
      const c = prof.get(String(e.input.externalId));
      if (c == null) continue;
      const s = personsOf.get(c) ?? new Set();
      s.add(pid);
      personsOf.set(c, s);
    }
  for (const [c, ps] of personsOf) {
    if (ps.size < 2 || ![...ps].some((pid) => pop.persons[pid - 1]?.kind === kind)) continue;
    console.log(
      'PROFILE',
      c,
      [...ps]
        .map((pid) => {
          const p = pop.persons[pid - 1];
          return `${pid}:${p?.kind}:fam${p?.familyId}:owns${p?.ownsPhone}`;
        })
        .join(' '),
    );
    for (const pid of ps)
      for (const e of byPerson.get(pid) ?? [])
        console.log(
          '  ',
          pid,
          e.input.occurredAt.slice(0, 10),
          e.input.source,
          e.input.type,
          JSON.stringify(e.input.identifiers),
          '->',
          prof.get(String(e.input.externalId)),
        );
    if (++shown >= limit) break;
  }
}
for (const e of pop.events)
  if ((e.personId === null || !e.identified) && prof.get(String(e.input.externalId)) != null)
    console.log('UNIDENTIFIED ATTACHED', JSON.stringify(e.input.identifiers), e.personId);
await b.close();
rmSync(dir, { recursive: true, force: true });
