/** This backend's retrain manager; a saved or activated version says so on the change bus (pages drop old scores). */
import { defineService } from '../../context';
import { RetrainManager } from './retrain-manager';

export const retrainOf = defineService(
  (ctx) =>
    new RetrainManager({
      db: ctx.db,
      clock: ctx.clock,
      logger: ctx.logger,
      brandId: ctx.brandId,
      predictionsChanged: () => ctx.bus.emit('predictions.changed'),
    }),
);
