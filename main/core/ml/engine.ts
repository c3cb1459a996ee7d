/** The models engine: the Models page's commands, the nightly retrain, and stopping training workers on close. */
import { modelsHandlers } from '../api/models';
import { defineEngine } from '../engine';
import { nightlyRetrainJob } from '../jobs/retrain-jobs';
import { retrainOf } from './retrain/retrain-service';

export const modelsEngine = defineEngine({
  name: 'models',
  handlers: modelsHandlers,
  jobs: [nightlyRetrainJob],
  stop(ctx) {
    retrainOf(ctx).stopAll();
  },
});
