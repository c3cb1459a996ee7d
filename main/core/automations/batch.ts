/**
 * One chunk of a sweep (evaluate.ts `fireEach`), inside the transaction that holds the write lock: two guards' reads
 * that each occasion asked one customer at a time — when this automation last acted for them (the cooldown) and the
 * automated messages they got lately (the frequency cap) — asked once for the chunk, at the first occasion that needs
 * them.
 *
 * Why the answers are the same: a value read for the chunk is used once, by the first occasion that asks about that
 * customer (and automation); the next ask reads the database again. Nothing the chunk writes before that first ask
 * can change it: an automation's occasions for a customer take a state the cooldown counts only after the cooldown
 * asked, and a customer's automated messages and held-out firings are written only after the frequency cap asked.
 */
import type { EngineContext } from '../context';
import { automatedMessageTimes, lastFiredAtOf } from '../db/repos/automation-batch';
import { automatedMessagesSince, lastFiredAt } from '../db/repos/automations';

export interface BatchOccasion {
  automationId: number;
  profileId: number;
}

export interface Batch {
  lastFiredAt(automationId: number, profileId: number): number | null;
  automatedMessagesSince(profileId: number, since: number): number;
}

export function openBatch(ctx: EngineContext, occasions: readonly BatchOccasion[]): Batch {
  const { db } = ctx;
  /** Per automation, its customers in the chunk not asked about yet, with the time it last acted (or null). */
  const fired = new Map<number, Map<number, number | null>>();
  /** The chunk's customers not asked about yet, with their automated messages' times since `messagesFrom`. */
  let messages: Map<number, number[]> | undefined;
  let messagesFrom = 0;
  return {
    lastFiredAt(automationId, profileId) {
      let known = fired.get(automationId);
      if (!known) {
        const profiles = [...new Set(occasions.filter((o) => o.automationId === automationId).map((o) => o.profileId))];
        const at = lastFiredAtOf(db, automationId, profiles);
        known = new Map(profiles.map((p) => [p, at.get(p) ?? null]));
        fired.set(automationId, known);
      }
      if (!known.has(profileId)) return lastFiredAt(db, automationId, profileId);
      const at = known.get(profileId) ?? null;
      known.delete(profileId);
      return at;
    },
    automatedMessagesSince(profileId, since) {
      if (!messages) {
        const profiles = [...new Set(occasions.map((o) => o.profileId))];
        messages = new Map(profiles.map((p) => [p, [] as number[]]));
        messagesFrom = since;
        for (const r of automatedMessageTimes(db, profiles, since)) messages.get(r.profileId)?.push(r.at);
      }
      const times = messages.get(profileId);
      messages.delete(profileId);
      // Not in the chunk's read, already asked, or a clock set back since the read (which covers later times only).
      if (!times || since < messagesFrom) return automatedMessagesSince(db, profileId, since);
      let n = 0;
      for (const at of times) if (at >= since) n += 1;
      return n;
    },
  };
}
