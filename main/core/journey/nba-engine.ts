/**
 * The next best action's commands as an engine of their own (`journeys.nextBestActions`, `journeys.doIt`), listed in
 * backend.ts beside the journey engine: it keeps no state, subscribes to nothing and runs no job — Do it fires
 * through the automations' code, whose outbox is started by the outbox engine.
 */
import { nextBestActionHandlers } from '../api/next-best-action';
import { defineEngine } from '../engine';

export const nextBestActionEngine = defineEngine({
  name: 'nextBestAction',
  handlers: nextBestActionHandlers,
});
