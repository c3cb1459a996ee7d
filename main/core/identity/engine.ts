/** The identity engine: the merge review queue, approve/reject, merge history and undo. */
import { mergesHandlers } from '../api/merges';
import { defineEngine } from '../engine';

export const identityEngine = defineEngine({ name: 'identity', handlers: mergesHandlers });
