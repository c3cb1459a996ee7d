/** Handlers for `customers.*`: search, Customer 360, timeline. */
import { AppError } from '../../../shared/contract/errors';
import { readTimeline } from '../customers/customer-360';
import { customer360 } from '../customers/customer-cache';
import { searchCustomers } from '../customers/customer-search';
import { tagCounts } from '../db/repos/automations';
import { getProfile } from '../db/repos/profiles';
import { eraseCustomer, exportCustomer } from '../privacy/shop-requests';
import { normalizeOptions, shopCurrency } from '../settings/shop-settings';
import { handlers } from './registry';

export const customersHandlers = handlers({
  'customers.search': (input, ctx) => ({
    ...searchCustomers(ctx.db, { ...input, brandId: ctx.brandId, normalize: normalizeOptions(ctx) }),
    currency: shopCurrency(ctx),
  }),

  'customers.tags': (_input, ctx) => tagCounts(ctx.db, ctx.brandId),

  'customers.get': ({ id }, ctx) => {
    const result = customer360(ctx, id);
    if (!result) throw new AppError('not_found', `There is no customer #${id}.`);
    return result;
  },

  'customers.erase': ({ id }, ctx) => {
    if (!getProfile(ctx.db, id)) throw new AppError('not_found', `There is no customer #${id}.`);
    const erased = eraseCustomer(ctx, id);
    return { profilesErased: erased.profiles, eventsErased: erased.events };
  },

  'customers.exportData': ({ id }, ctx) => {
    const path = exportCustomer(ctx, id);
    if (!path) throw new AppError('not_found', `There is no customer #${id}.`);
    return { path };
  },

  'customers.timeline': ({ id, cursor, limit }, ctx) => {
    if (!getProfile(ctx.db, id)) throw new AppError('not_found', `There is no customer #${id}.`);
    return readTimeline(ctx.db, id, cursor, limit, shopCurrency(ctx));
  },
});
