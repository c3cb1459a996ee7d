/** Handlers for `journeys.nextBestActions` and `journeys.doIt`: Customer 360's "Next best action" and its Do it. */
import { rankFor } from '../journey/next-best-action';
import { doNextBestAction } from '../journey/next-best-action-do';
import { handlers } from './registry';

export const nextBestActionHandlers = handlers({
  'journeys.nextBestActions': ({ profileId }, ctx) => rankFor(ctx, profileId),

  'journeys.doIt': ({ profileId, action }, ctx) => doNextBestAction(ctx, profileId, action),
});
