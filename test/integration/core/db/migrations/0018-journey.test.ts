/**
 * Migration 0018: customer_journey gains the lapsed flag, the score's four parts, facts, why and the next milestone
 * (a row already there keeps its stage and score, the new columns at their defaults); the transitions and the shop's
 * thresholds get tables.
 */
import { describe, expect, it } from 'vitest';
import { addBrand, columnsOf, steppedFile } from './steps';

describe('migration 0018 (journey stages)', () => {
  it('keeps a journey row already there and adds the transition and threshold tables', () => {
    const file = steppedFile();
    file.upTo(17);
    const brand = addBrand(file.sqlite);
    const profile = Number(
      file.sqlite.prepare('INSERT INTO customer_profile (brand_id, created_at, updated_at) VALUES (?, 1, 1)').run(brand)
        .lastInsertRowid,
    );
    file.sqlite
      .prepare(
        "INSERT INTO customer_journey (profile_id, brand_id, stage, score, entered_stage_at, updated_at) VALUES (?, ?, 'purchase', 42, 5, 6)",
      )
      .run(profile, brand);
    file.upTo(18);
    expect(
      file.sqlite
        .prepare(
          'SELECT stage, score, lapsed, engagement_part, value_part, channels_part, recency_part, facts, stage_why, next_milestone FROM customer_journey',
        )
        .get(),
    ).toEqual({
      stage: 'purchase',
      score: 42,
      lapsed: 0,
      engagement_part: 0,
      value_part: 0,
      channels_part: 0,
      recency_part: 0,
      facts: '{}',
      stage_why: '',
      next_milestone: null,
    });
    expect(columnsOf(file.sqlite, 'customer_journey_transition')).toEqual([
      'id',
      'brand_id',
      'profile_id',
      'from_stage',
      'to_stage',
      'at',
      'why',
      'cause',
      'event_id',
    ]);
    expect(columnsOf(file.sqlite, 'journey_shop')).toContain('import_pending');
    file.sqlite
      .prepare(
        "INSERT INTO customer_journey_transition (brand_id, profile_id, from_stage, to_stage, at, why, cause) VALUES (?, ?, NULL, 'purchase', 1, 'first order', 'import')",
      )
      .run(brand, profile);
    file.sqlite.prepare('DELETE FROM customer_profile WHERE id = ?').run(profile);
    expect(file.sqlite.prepare('SELECT count(*) FROM customer_journey_transition').pluck().get()).toBe(0);
    expect(file.sqlite.pragma('foreign_key_check')).toEqual([]);
    file.close();
  });
});
