/**
 * The whole contract between the renderer and the backend. Every command the
 * UI can call is declared here once; the backend must register exactly one
 * handler per name, and the preload exposes exactly these names.
 */
import type { z } from 'zod';
import { appContract } from './app';
import { automationsContract } from './automations';
import { backupsContract } from './backups';
import { campaignsContract } from './campaigns';
import { channelsContract } from './channels';
import { connectionsContract } from './connections';
import { consentContract } from './consent';
import { customerExportContract } from './customer-export';
import { customersContract } from './customers';
import { dashboardContract } from './dashboard';
import { defineContract } from './define';
import { dryRunContract } from './dry-run';
import { importsContract } from './imports';
import { jobsContract } from './jobs';
import { journeysContract } from './journeys';
import { mergesContract } from './merges';
import { messagesContract } from './messages';
import { modelsContract } from './models';
import { nextBestActionContract } from './next-best-action';
import { settingsContract } from './settings';
import { templatesContract } from './templates';
import { upliftContract } from './uplift';

export const contract = defineContract(
  appContract,
  settingsContract,
  customersContract,
  customerExportContract,
  consentContract,
  mergesContract,
  connectionsContract,
  importsContract,
  modelsContract,
  jobsContract,
  backupsContract,
  channelsContract,
  messagesContract,
  templatesContract,
  automationsContract,
  upliftContract,
  campaignsContract,
  dryRunContract,
  nextBestActionContract,
  journeysContract,
  dashboardContract,
);

export type Contract = typeof contract;
export type CommandName = keyof Contract & string;
export type CommandInput<N extends CommandName> = z.input<Contract[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Contract[N]['output']>;
/** What a handler receives: the input after its schema parsed it. */
export type ParsedInput<N extends CommandName> = z.output<Contract[N]['input']>;

export const COMMAND_NAMES = Object.freeze(Object.keys(contract)) as readonly CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(contract, name);
}

export * from './app';
export * from './automations';
export * from './backups';
export * from './campaigns';
export * from './channels';
export * from './connections';
export * from './consent';
export * from './customer-export';
export * from './customers';
export * from './dashboard';
export * from './dry-run';
export * from './errors';
export * from './imports';
export * from './jobs';
export * from './journeys';
export * from './merges';
export * from './messages';
export * from './models';
export * from './next-best-action';
export * from './settings';
export * from './templates';
export * from './uplift';
export * from './validation';
