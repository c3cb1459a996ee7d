/**
 * Migrations 0012–0016: automations keep their definition as one JSON document with a priority and the time they were
 * armed; executions gain a step and a resume time; decisions, tags and URL calls get tables. On a file that already
 * has an execution and an outbox row pointing at it, both survive.
 */
import { describe, expect, it } from 'vitest';
import { addBrand, columnsOf, steppedFile } from './steps';

describe('migrations 0012–0013 (automations)', () => {
  it('reshapes automations and executions, keeping rows already there', () => {
    const file = steppedFile();
    file.upTo(11);
    const brand = addBrand(file.sqlite);
    const automation = Number(
      file.sqlite
        .prepare(
          "INSERT INTO marketing_automation (brand_id, name, trigger_type, conditions, channel, action, created_at, updated_at) VALUES (?, 'Old', 'churn_risk', '{}', 'email', '{}', 1, 1)",
        )
        .run(brand).lastInsertRowid,
    );
    const execution = Number(
      file.sqlite
        .prepare(
          "INSERT INTO automation_execution (brand_id, automation_id, dedupe_key, status, created_at) VALUES (?, ?, 'k', 'sent', 5)",
        )
        .run(brand, automation).lastInsertRowid,
    );
    file.sqlite
      .prepare(
        "INSERT INTO message_outbox (brand_id, execution_id, channel, recipient, body, next_attempt_at, created_at) VALUES (?, ?, 'email', 'a@example.com', '{}', 1, 1)",
      )
      .run(brand, execution);

    file.upTo(13);
    expect(file.sqlite.prepare('SELECT name, definition, priority, armed_at FROM marketing_automation').get()).toEqual({
      name: 'Old',
      definition: '{}',
      priority: 10,
      armed_at: null,
    });
    expect(file.sqlite.prepare('SELECT dedupe_key, status, step, resume_at FROM automation_execution').get()).toEqual({
      dedupe_key: 'k',
      status: 'sent',
      step: 0,
      resume_at: null,
    });
    expect(file.sqlite.prepare('SELECT execution_id FROM message_outbox').get()).toEqual({ execution_id: execution });
    expect(columnsOf(file.sqlite, 'marketing_automation')).not.toContain('channel');
    expect(columnsOf(file.sqlite, 'automation_decision')).toEqual(
      expect.arrayContaining(['automation_id', 'profile_id', 'outcome', 'guard', 'reason', 'outbox_id']),
    );
    expect(columnsOf(file.sqlite, 'profile_tag')).toEqual(['profile_id', 'tag', 'source', 'created_at']);
    expect(file.sqlite.pragma('foreign_key_check')).toEqual([]);
    file.close();
  });

  it('0014 keeps scores as they were and adds the previous ones empty, automations not pending', () => {
    const file = steppedFile();
    file.upTo(13);
    const brand = addBrand(file.sqlite);
    const profile = Number(
      file.sqlite.prepare('INSERT INTO customer_profile (brand_id, created_at, updated_at) VALUES (?, 1, 1)').run(brand)
        .lastInsertRowid,
    );
    file.sqlite
      .prepare(
        "INSERT INTO predictions (profile_id, brand_id, churn_score, segment, predicted_at) VALUES (?, ?, 0.7, 'Loyal', 1)",
      )
      .run(profile, brand);
    file.sqlite
      .prepare(
        "INSERT INTO marketing_automation (brand_id, name, trigger_type, definition, enabled, created_at, updated_at) VALUES (?, 'On', 'churn_risk', '{}', 1, 1, 1)",
      )
      .run(brand);
    file.upTo(14);
    expect(
      file.sqlite.prepare('SELECT churn_score, segment, prev_churn_score, prev_segment FROM predictions').get(),
    ).toEqual({ churn_score: 0.7, segment: 'Loyal', prev_churn_score: null, prev_segment: null });
    expect(
      file.sqlite.prepare('SELECT enabled, arm_pending, scores_pending, swept_at FROM marketing_automation').get(),
    ).toEqual({ enabled: 1, arm_pending: 0, scores_pending: 0, swept_at: null });
    file.close();
  });

  it('0015 drops the (automation, status) index of occasions and keeps every occasion', () => {
    const file = steppedFile();
    file.upTo(14);
    const brand = addBrand(file.sqlite);
    const automation = Number(
      file.sqlite
        .prepare(
          "INSERT INTO marketing_automation (brand_id, name, trigger_type, definition, enabled, created_at, updated_at) VALUES (?, 'On', 'churn_risk', '{}', 1, 1, 1)",
        )
        .run(brand).lastInsertRowid,
    );
    file.sqlite
      .prepare(
        "INSERT INTO automation_execution (brand_id, automation_id, dedupe_key, status, created_at) VALUES (?, ?, '1:churn:open', 'fired', 1)",
      )
      .run(brand, automation);
    const indexes = () =>
      file.sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'automation_execution'")
        .pluck()
        .all();
    expect(indexes()).toContain('automation_execution_automation_idx');
    file.upTo(15);
    expect(indexes()).not.toContain('automation_execution_automation_idx');
    expect(indexes()).toEqual(
      expect.arrayContaining(['automation_execution_dedupe_uq', 'automation_execution_waiting_idx']),
    );
    expect(file.sqlite.prepare('SELECT dedupe_key, status FROM automation_execution').all()).toEqual([
      { dedupe_key: '1:churn:open', status: 'fired' },
    ]);
    file.close();
  });

  it('0016 keeps only waiting occasions and sent messages in their lookup indexes, and every row', () => {
    const file = steppedFile();
    file.upTo(15);
    const brand = addBrand(file.sqlite);
    const automation = Number(
      file.sqlite
        .prepare(
          "INSERT INTO marketing_automation (brand_id, name, trigger_type, definition, enabled, created_at, updated_at) VALUES (?, 'On', 'abandoned_cart', '{}', 1, 1, 1)",
        )
        .run(brand).lastInsertRowid,
    );
    const occasion = file.sqlite.prepare(
      'INSERT INTO automation_execution (brand_id, automation_id, dedupe_key, status, resume_at, created_at) VALUES (?, ?, ?, ?, ?, 1)',
    );
    occasion.run(brand, automation, '1:cart:1', 'waiting', 50);
    occasion.run(brand, automation, '2:cart:2', 'held', null);
    occasion.run(brand, automation, '3:cart:3', 'waiting', 500);
    const message = file.sqlite.prepare(
      "INSERT INTO message_outbox (brand_id, channel, recipient, body, next_attempt_at, created_at, provider_message_id) VALUES (?, 'email', 'a@example.com', '{}', 1, 1, ?)",
    );
    message.run(brand, 'SM123');
    message.run(brand, null);
    file.upTo(16);
    const plan = (sql: string) =>
      (file.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0) as { detail: string }[]).map((r) => r.detail).join(' ');
    const due =
      "SELECT dedupe_key FROM automation_execution WHERE status = 'waiting' AND resume_at <= ? ORDER BY resume_at";
    expect(plan(due)).toContain('automation_execution_waiting_idx');
    expect(file.sqlite.prepare(due).pluck().all(100)).toEqual(['1:cart:1']);
    const sent = "SELECT count(*) FROM message_outbox WHERE provider_message_id = ? AND channel = 'email'";
    expect(plan(sent)).toContain('message_outbox_provider_idx');
    expect(file.sqlite.prepare(sent).pluck().get('SM123')).toBe(1);
    expect(file.sqlite.prepare('SELECT count(*) FROM automation_execution').pluck().get()).toBe(3);
    expect(file.sqlite.prepare('SELECT count(*) FROM message_outbox').pluck().get()).toBe(2);
    file.close();
  });

  it('0017 gives occasions the comparison arm and the scores at the draw, empty on rows already there', () => {
    const file = steppedFile();
    file.upTo(16);
    const brand = addBrand(file.sqlite);
    const automation = Number(
      file.sqlite
        .prepare(
          "INSERT INTO marketing_automation (brand_id, name, trigger_type, definition, enabled, created_at, updated_at) VALUES (?, 'On', 'churn_risk', '{}', 1, 1, 1)",
        )
        .run(brand).lastInsertRowid,
    );
    file.sqlite
      .prepare(
        "INSERT INTO automation_execution (brand_id, automation_id, dedupe_key, status, created_at) VALUES (?, ?, '1:churn:open', 'fired', 1)",
      )
      .run(brand, automation);
    file.upTo(17);
    expect(columnsOf(file.sqlite, 'automation_execution')).toEqual(
      expect.arrayContaining(['arm', 'arm_at', 'churn_at', 'value_at']),
    );
    expect(
      file.sqlite.prepare('SELECT status, arm, arm_at, churn_at, value_at FROM automation_execution').all(),
    ).toEqual([{ status: 'fired', arm: null, arm_at: null, churn_at: null, value_at: null }]);
    file.close();
  });
});
