/** Handlers for `customers.*`: search, Customer 360, timeline. */
import { AppError } from '../../../shared/contract/errors';
import { readTimeline } from '../customers/customer-360';
import { searchCustomers } from '../customers/customer-search';
import { getProfile } from '../db/repos/profiles';
import { handlers } from './registry';

export const customersHandlers = handlers({
  'customers.search': (input, { db, core }) => ({
    ...searchCustomers(db, { ...input, brandId: core.brandId, normalize: core.normalizeOptions() }),
    currency: core.currency(),
  }),

  'customers.get': ({ id }, { core }) => {
    const result = core.customer360(id);
    if (!result) throw new AppError('not_found', `There is no customer #${id}.`);
    return result;
  },

  'customers.erase': ({ id }, { db, core }) => {
    if (!getProfile(db, id)) throw new AppError('not_found', `There is no customer #${id}.`);
    const erased = core.eraseCustomer(id);
    return { profilesErased: erased.profiles, eventsErased: erased.events };
  },

  'customers.exportData': ({ id }, { core }) => {
    const path = core.exportCustomer(id);
    if (!path) throw new AppError('not_found', `There is no customer #${id}.`);
    return { path };
  },

  'customers.timeline': ({ id, cursor, limit }, { db, core }) => {
    if (!getProfile(db, id)) throw new AppError('not_found', `There is no customer #${id}.`);
    return readTimeline(db, id, cursor, limit, core.currency());
  },
});
