/** Handlers for the journeys: recompute now, the Journeys page's summary and a stage's customers, one customer's journey. */
import { recomputeJourneys } from '../journey/runner';
import { customersInStage, journeyForCustomer, journeySummary } from '../journey/views';
import { handlers } from './registry';

export const journeysHandlers = handlers({
  'journeys.recompute': (_input, ctx) => recomputeJourneys(ctx),
  'journeys.summary': (_input, ctx) => journeySummary(ctx),
  'journeys.stageCustomers': ({ stage, limit, offset }, ctx) => customersInStage(ctx, stage, limit, offset),
  'journeys.forCustomer': ({ profileId }, ctx) => journeyForCustomer(ctx, profileId),
});
