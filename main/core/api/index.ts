/** Every domain's handlers, in one list; `buildRegistry` checks it covers the contract exactly. */
import { appHandlers } from './app';
import { connectionsHandlers } from './connections';
import { customersHandlers } from './customers';
import { importsHandlers } from './imports';
import { jobsHandlers } from './jobs';
import { mergesHandlers } from './merges';
import { modelsHandlers } from './models';
import type { HandlerTable } from './registry';
import { settingsHandlers } from './settings';

export const ALL_HANDLERS: readonly HandlerTable[] = [
  appHandlers,
  settingsHandlers,
  customersHandlers,
  mergesHandlers,
  connectionsHandlers,
  importsHandlers,
  modelsHandlers,
  jobsHandlers,
];
