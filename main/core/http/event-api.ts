/**
 * The public event API on the ingest listener, for the shop's website, tills
 * and scripts. Authenticated by `X-Api-Key` (Settings shows and replaces it).
 *
 *   POST /api/v1/events            one event or an array of up to 1000 → 202
 *   GET  /api/v1/profiles?identifier=email:ann@example.com
 *   GET  /api/v1/profiles/:id      (a merged-away id answers 308 to its survivor)
 *   GET  /api/v1/merge-reviews?status=pending
 */

import { timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Router } from 'express';
import { z } from 'zod';
import { validationError } from '../../../shared/contract/validation';
import { INPUT_IDENTIFIER_TYPES, type ParsedEvent, parseEvent } from '../../../shared/events';
import { clampTotal } from '../../../shared/limits';
import { listReviews } from '../api/merges';
import type { EngineContext } from '../context';
import { findProfileId, identifiersOf } from '../db/repos/identifiers';
import { getProfile, redirectOf } from '../db/repos/profiles';
import { storageHealthOf } from '../db/storage-health';
import { normalizeIdentifier } from '../identity/normalize';
import { ingestEventsInTurn } from '../ingest/ingest-service';
import { readApiKey } from '../secrets/api-key';
import { normalizeOptions } from '../settings/shop-settings';
import { sendError } from './errors';

export const MAX_BATCH = 1000;
/** A full batch of ordinary events is well under 1 MB; one event may be up to 256 KB (shared/limits.ts). */
export const MAX_EVENTS_BODY_BYTES = 5 * 1024 * 1024;

export function createEventApi(ctx: EngineContext): Router {
  const router = express.Router();

  router.use((req, res, next) => {
    const given = Buffer.from(req.get('x-api-key') ?? '');
    const expected = Buffer.from(readApiKey(ctx.secrets));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      sendError(res, 'auth', 'Missing or wrong X-Api-Key. The key is shown in ConstIntel under Settings → Event API.');
      return;
    }
    next();
  });

  router.post('/events', express.json({ limit: MAX_EVENTS_BODY_BYTES, strict: false }), async (req, res) => {
    const body: unknown = req.body;
    const list = Array.isArray(body) ? body : [body];
    if (list.length === 0 || list.length > MAX_BATCH) {
      sendError(res, 'validation', `Send one event or an array of 1 to ${MAX_BATCH} events (got ${list.length}).`);
      return;
    }
    const valid: { index: number; event: ParsedEvent }[] = [];
    const errors: { index: number; field: string | null; message: string }[] = [];
    const now = ctx.clock.now().getTime();
    list.forEach((item, index) => {
      const parsed = parseEvent(item, now);
      if (parsed.success) valid.push({ index, event: parsed.data });
      else {
        const error = validationError(parsed.error, 'event');
        errors.push({ index, field: error.field ?? null, message: `event ${index}: ${error.message}` });
      }
    });
    const ingested =
      valid.length > 0
        ? await ingestEventsInTurn(
            ctx,
            valid.map((v) => v.event),
          )
        : [];
    if (valid.length > 0) storageHealthOf(ctx).ok();
    const results = ingested.map((r, i) => ({
      index: valid[i]?.index ?? i,
      eventId: r.eventId,
      profileId: r.profileId,
      duplicate: r.duplicate,
      ...(r.unused.length > 0 ? { ignoredIdentifiers: r.unused } : {}),
    }));
    if (errors.length > 0) {
      const first = errors[0];
      res.status(400).json({
        ok: false,
        error: { kind: 'validation', message: first?.message ?? 'Invalid event', field: first?.field ?? undefined },
        errors,
        results,
      });
      return;
    }
    res.status(202).json({ ok: true, results });
  });

  // An over-long body is a 413 the sender can act on (split the batch), not a generic 400.
  const tooLarge: ErrorRequestHandler = (error: { type?: string }, _req, res, next) => {
    if (error.type !== 'entity.too.large') return next(error);
    res.status(413).json({
      ok: false,
      error: {
        kind: 'validation',
        message: `The request body is larger than ${MAX_EVENTS_BODY_BYTES / 1024 / 1024} MB; send fewer events per request.`,
      },
    });
  };
  router.use(tooLarge);

  router.get('/profiles', (req, res) => {
    const raw = typeof req.query.identifier === 'string' ? req.query.identifier : '';
    const split = raw.indexOf(':');
    const type = z.enum(INPUT_IDENTIFIER_TYPES).safeParse(raw.slice(0, split));
    if (split < 1 || !type.success) {
      sendError(
        res,
        'validation',
        `identifier: give type:value, with type one of ${INPUT_IDENTIFIER_TYPES.join(', ')}.`,
        'identifier',
      );
      return;
    }
    const normalized = normalizeIdentifier(type.data, raw.slice(split + 1), normalizeOptions(ctx));
    if (!normalized.ok) {
      sendError(
        res,
        'validation',
        `identifier: "${raw.slice(split + 1)}" is not a usable ${type.data} (${normalized.reason}).`,
        'identifier',
      );
      return;
    }
    const id = findProfileId(ctx.db, ctx.brandId, normalized.type, normalized.value);
    if (id === undefined) {
      sendError(res, 'not_found', `No customer has ${normalized.type} ${normalized.value}.`);
      return;
    }
    res.json(profileJson(ctx, id));
  });

  router.get('/profiles/:id', (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) {
      sendError(res, 'validation', 'id: must be a positive whole number.', 'id');
      return;
    }
    if (getProfile(ctx.db, id)) {
      res.json(profileJson(ctx, id));
      return;
    }
    const to = redirectOf(ctx.db, id);
    if (to === undefined) {
      sendError(res, 'not_found', `There is no customer #${id}.`);
      return;
    }
    res
      .status(308)
      .location(`${req.baseUrl}/profiles/${to}`)
      .json({ ok: false, movedTo: to, message: `Customer #${id} was merged into #${to}.` });
  });

  router.get('/merge-reviews', (req, res) => {
    const status = z.enum(['pending', 'approved', 'rejected', 'superseded']).safeParse(req.query.status ?? 'pending');
    if (!status.success) {
      sendError(res, 'validation', 'status: must be pending, approved, rejected or superseded.', 'status');
      return;
    }
    res.json(listReviews(ctx.db, ctx.brandId, status.data));
  });

  return router;
}

function profileJson(ctx: EngineContext, id: number) {
  const profile = getProfile(ctx.db, id);
  if (!profile) throw new Error(`profile ${id} vanished`);
  return {
    id: profile.id,
    firstName: profile.first_name,
    lastName: profile.last_name,
    identifiers: identifiersOf(ctx.db, id).map((i) => ({ type: i.type, value: i.value, source: i.source })),
    lifetimeValue: clampTotal(profile.lifetime_value),
    totalOrders: profile.total_orders,
    strength: profile.strength,
    createdAt: new Date(profile.created_at).toISOString(),
  };
}
