/**
 * The key URL calls are signed with (HMAC-SHA256 of the body, sent as `X-ConstIntel-Signature: sha256=<hex>`): made
 * once per shop and kept in the secret store, so the receiving system can check a call came from this ConstIntel.
 */
import { randomBytes } from 'node:crypto';
import type { EngineContext } from '../context';

export const SIGNING_SECRET = 'automations.signingKey';

export function automationSigningKey(ctx: Pick<EngineContext, 'secrets'>): string {
  let key = ctx.secrets.get(SIGNING_SECRET);
  if (!key) {
    key = randomBytes(32).toString('hex');
    ctx.secrets.set(SIGNING_SECRET, key);
  }
  return key;
}
