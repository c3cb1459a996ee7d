/**
 * A customer's request made in the shop: erase everything held about them, or export it to a file in the data
 * folder. Each is recorded (who asked, when, how much) the way Shopify's privacy webhooks are.
 */
import type { EngineContext } from '../context';
import { customerData, eraseProfiles, recordRequest, writeExport } from './privacy';

export function eraseCustomer(ctx: EngineContext, profileId: number): { profiles: number; events: number } {
  const now = ctx.clock.now().getTime();
  const result = ctx.db.sqlite
    .transaction(() => {
      const erased = eraseProfiles(ctx.db, [profileId]);
      recordRequest(ctx.db, { brandId: ctx.brandId, kind: 'redact_customer', requestedBy: 'shop', ...erased, now });
      return erased;
    })
    .immediate();
  ctx.bus.emit('profiles.changed', [profileId]);
  return result;
}

/** The file written, or undefined when there is no such customer. */
export function exportCustomer(ctx: EngineContext, profileId: number): string | undefined {
  const now = ctx.clock.now().getTime();
  const document = customerData(ctx.db, profileId);
  if (!document) return undefined;
  const path = writeExport(ctx.dataDir, [profileId], [document], now);
  recordRequest(ctx.db, {
    brandId: ctx.brandId,
    kind: 'data_request',
    requestedBy: 'shop',
    profiles: 1,
    events: 0,
    exportPath: path,
    now,
  });
  return path;
}
