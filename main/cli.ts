#!/usr/bin/env node
import { rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
/**
 * The `constintel` command. Every subcommand honours `--data-dir` and
 * `CONSTINTEL_DATA_DIR`, so it works on the same file as the desktop app.
 */
import { Command, InvalidArgumentError } from 'commander';
import { AppError } from '../shared/contract/errors';
import { formatMoney } from '../shared/describe-event';
import { addAutomationCommands } from './cli-automations';
import { addBackupCommands } from './cli-backups';
import { addChannelCommands } from './cli-channels';
import { openForCommand } from './cli-context';
import { addCustomerExportCommand } from './cli-export';
import { addImportHistoryCommands } from './cli-imports';
import { addJourneyCommands } from './cli-journeys';
import { addMessagesCommands } from './cli-messages';
import { addSendCommand } from './cli-send';
import { consoleLogger, type Logger, systemClock } from './core/clock';
import { brandByName, listShopify, saveShopify } from './core/connections/shopify-connections';
import { openDatabase } from './core/db/open';
import { phoneWarning } from './core/import/file/phone-country';
import { notImportedColumns } from './core/import/file/recognize';
import type { DateOrder } from './core/import/file/types';
import { asTable } from './core/import/file/xlsx';
import { importHost } from './core/import/import-service';
import { checkPhones, importFile, inspect, presetByName } from './core/import/imports';
import type { ImportSummary } from './core/import/worker/import-job';
import { startRetrain } from './core/jobs/retrain-jobs';
import { schedulerOf } from './core/jobs/scheduler';
import { writePredictionsCsv } from './core/ml/export-predictions';
import { listVersions } from './core/ml/retrain/registry';
import type { RetrainStepName } from './core/ml/retrain/retrain-job';
import type { RetrainJob } from './core/ml/retrain/retrain-manager';
import { retrainOf } from './core/ml/retrain/retrain-service';
import { appVersion, DATABASE_FILE_NAME, resolveDataDir } from './core/paths';
import { moveApiKeyToSecrets, readApiKey, rotateApiKey } from './core/secrets/api-key';
import { FileSecretStore } from './core/secrets/secret-store';
import { DEFAULT_BRAND_ID, ensureDefaultBrand } from './core/settings/settings-store';
import { shopCurrency } from './core/settings/shop-settings';
import { startHeadless } from './headless';

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('give a port number between 0 and 65535 (0 picks any free port).');
  }
  return port;
}

export function buildCli(): Command {
  const program = new Command();
  program
    .name('constintel')
    .description('ConstIntel: customer intelligence for your shop, on this PC.')
    .version(appVersion())
    .showHelpAfterError();

  program
    .command('serve')
    .description('Run ConstIntel without a window and open it in a browser.')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .option('--port <n>', 'port for the app in the browser (default: from Settings, 4310)', portOption)
    .option('--ingest-port <n>', 'port for webhooks and the event API (default: from Settings, 4311)', portOption)
    .action(async (opts: { dataDir?: string; port?: number; ingestPort?: number }) => {
      await startHeadless({ dataDir: opts.dataDir, port: opts.port, ingestPort: opts.ingestPort });
    });

  program
    .command('api-key')
    .description('Print the key scripts send as X-Api-Key to the event API.')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .option('--rotate', 'replace the key first; the old one stops working at once')
    .action((opts: { dataDir?: string; rotate?: boolean }) => {
      const dataDir = resolveDataDir({ flag: opts.dataDir });
      const db = openDatabase(join(dataDir, DATABASE_FILE_NAME));
      try {
        // The key lives in the secrets file; an earlier version's copy in the data file is moved there first.
        const secrets = new FileSecretStore(dataDir);
        moveApiKeyToSecrets(db, secrets);
        process.stdout.write(`${opts.rotate ? rotateApiKey(secrets) : readApiKey(secrets)}\n`);
      } finally {
        db.close();
      }
    });

  const connect = program
    .command('connect')
    .description('Connect ConstIntel to Shopify, WhatsApp, email and SMS from a terminal.');
  connect
    .command('shopify')
    .description("Connect a Shopify store: its myshopify.com domain and the app's client secret.")
    .requiredOption('--shop-domain <domain>', 'the store address, such as corner-shop.myshopify.com')
    .requiredOption('--secret <secret>', "the app's client secret (Shopify admin → Apps → your app → API credentials)")
    .option('--brand <name>', 'which of your shops this store is (created if new; default: the main shop)')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action((opts: { shopDomain: string; secret: string; brand?: string; dataDir?: string }) => {
      const dataDir = resolveDataDir({ flag: opts.dataDir });
      const db = openDatabase(join(dataDir, DATABASE_FILE_NAME));
      try {
        ensureDefaultBrand(db, systemClock);
        const now = systemClock.now().getTime();
        const brandId = brandByName(db, opts.brand, now);
        saveShopify(
          db,
          new FileSecretStore(dataDir),
          { brandId, shopDomain: opts.shopDomain, secret: opts.secret },
          now,
        );
        const [shop] = listShopify(db, new FileSecretStore(dataDir)).filter((s) => s.brandId === brandId);
        process.stdout.write(
          `Connected ${shop?.shopDomain} to ${shop?.brandName}. In Shopify, send webhooks to <your tunnel's address>/webhooks/shopify.\n`,
        );
      } finally {
        db.close();
      }
    });

  addChannelCommands(connect);

  program
    .command('import <file>')
    .description('Import a POS or shop export (CSV): customers, orders, receipts or item sales.')
    .option('--preset <name>', 'use a column mapping saved in the app under this name')
    .option('--default-country <ISO>', 'country for phone numbers written without one, such as GB or US', countryOption)
    .option(
      '--date-order <order>',
      'how dates such as 03/04/25 are written: DMY, MDY or YMD (default: guessed)',
      dateOrderOption,
    )
    .option('--json', 'print one JSON line with the counts instead of a progress bar')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action(
      async (
        file: string,
        opts: { preset?: string; defaultCountry?: string; dateOrder?: DateOrder; json?: boolean; dataDir?: string },
      ) => {
        const dataDir = resolveDataDir({ flag: opts.dataDir });
        const ctx = openForCommand(dataDir);
        const { db } = ctx;
        const core = importHost(ctx);
        try {
          ensureDefaultBrand(db, systemClock);
          const preset = opts.preset === undefined ? {} : presetByName(core, opts.preset);
          if (preset === undefined)
            throw new AppError('validation', `There is no saved mapping called “${opts.preset}”.`);
          const choices = {
            ...preset,
            ...(opts.defaultCountry ? { defaultCountry: opts.defaultCountry } : {}),
            ...(opts.dateOrder ? { dateOrder: opts.dateOrder } : {}),
          };
          // What the preview would warn about (dates that read either way, a column not found), said before it runs;
          // and, as on the preview, the columns left out, so none is dropped without a word.
          // An Excel workbook is read as a CSV copy of its first sheet, deleted once imported.
          const table = await asTable(file, basename(file), join(dataDir, 'imports', 'uploads'));
          const source = table.path;
          const settings = inspect(core, source, choices, basename(file));
          for (const warning of settings.warnings) {
            process.stderr.write(`Note: ${warning}\n`);
          }
          // The phone numbers of the first rows, read in the chosen country: unreadable ones are said, with the
          // country that reads most of them.
          const phones = await checkPhones(source, settings);
          const phoneProblem = phoneWarning(phones, settings.defaultCountry);
          if (phoneProblem)
            process.stderr.write(
              `Note: ${phoneProblem}${phones.suggestion ? ` (import with --default-country ${phones.suggestion.country})` : ''}\n`,
            );
          const notImported = notImportedColumns(settings);
          if (notImported.length > 0) process.stderr.write(`Note: ${notImportedText(notImported)}\n`);
          const bar = !opts.json && process.stderr.isTTY ? progressBar() : undefined;
          const summary = await importFile(core, {
            path: source,
            fileName: basename(file),
            choices,
            ...(bar ? { onProgress: bar.update } : {}),
          });
          bar?.done();
          if (opts.json) process.stdout.write(`${JSON.stringify({ ...summary, notImported })}\n`);
          else process.stdout.write(`${summaryText(summary)}\n`);
          if (summary.status === 'failed') process.exitCode = 1;
          if (table.copy) rmSync(source, { force: true });
        } finally {
          db.close();
        }
      },
    );

  program
    .command('retrain')
    .description(
      'Learn churn risk and predicted value again from every sale in the data file, and score every customer.',
    )
    .option('--json', 'print one JSON line with the new version, its metrics, training rows and duration')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action(async (opts: { json?: boolean; dataDir?: string }) => {
      const dataDir = resolveDataDir({ flag: opts.dataDir });
      // What the retrain reports as it goes is printed here; only real faults go to the log on the terminal.
      const logger: Logger = { ...consoleLogger, info: () => {}, warn: () => {} };
      const ctx = openForCommand(dataDir, logger);
      const { db } = ctx;
      const retrain = retrainOf(ctx);
      let claimed: Promise<void> | undefined;
      try {
        ensureDefaultBrand(db, systemClock);
        const stages = !opts.json && process.stderr.isTTY ? stageLine() : undefined;
        const unwatch = stages ? retrain.watch(stages.update) : undefined;
        // Refused while the app (its nightly retrain or Retrain button) or another terminal is retraining this file.
        const started = startRetrain(retrain, schedulerOf(ctx).claims);
        claimed = started.done;
        const job = await retrain.wait(started.jobId);
        unwatch?.();
        stages?.done();
        if (job.status !== 'completed' || !job.outcome) {
          throw new AppError(job.errorKind ?? 'internal', job.error ?? 'The retrain was cancelled.');
        }
        // The backtest (the same retrain one horizon earlier, checked on what followed) completes the figures.
        if (!opts.json) process.stderr.write('Checking the new scores against the past…\n');
        await retrain.waitForCheck(job.id);
        const { versionId, trainingRows, durationMs } = job.outcome;
        const metrics =
          listVersions(db, DEFAULT_BRAND_ID).find((v) => v.id === versionId)?.metrics ?? job.outcome.metrics;
        if (opts.json) process.stdout.write(`${JSON.stringify({ versionId, metrics, trainingRows, durationMs })}\n`);
        else process.stdout.write(`${retrainText({ ...job.outcome, metrics }, shopCurrency(ctx))}\n`);
      } finally {
        // The result is recorded for Settings (last run) and the claim given back before the file is closed.
        await claimed;
        retrain.stopAll();
        db.close();
      }
    });

  const exportCommand = program.command('export').description('Write what ConstIntel knows to a file.');
  exportCommand
    .command('predictions')
    .description(
      "Every scored customer's churn risk and predicted value to a CSV file (profile id, email, phone, scores, segment, model version).",
    )
    .requiredOption('--out <file.csv>', 'the CSV file to write (replaced if it exists)')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action((opts: { out: string; dataDir?: string }) => {
      const db = openDatabase(join(resolveDataDir({ flag: opts.dataDir }), DATABASE_FILE_NAME));
      try {
        ensureDefaultBrand(db, systemClock);
        const out = resolve(opts.out);
        const { rows } = writePredictionsCsv(db, DEFAULT_BRAND_ID, out);
        if (rows === 0)
          process.stderr.write('Note: no customer has been scored yet; run `constintel retrain` first.\n');
        process.stdout.write(`Wrote ${rows.toLocaleString('en')} customers' scores to ${out}\n`);
      } finally {
        db.close();
      }
    });

  addCustomerExportCommand(exportCommand);
  addBackupCommands(program);
  addMessagesCommands(program);
  addSendCommand(program);
  addAutomationCommands(program);
  addJourneyCommands(program);
  addImportHistoryCommands(program);
  return program;
}

const STAGE_WORDS: Record<RetrainStepName, string> = {
  checking: 'Checking the history',
  features: "Reading every customer's history",
  churn: 'Learning churn risk',
  value: 'Learning predicted value',
  predictions: 'Scoring every customer',
  segments: 'Grouping customers into segments',
  recommendations: 'Finding products to recommend',
  saving: 'Saving the new version',
};

/** The retrain's stage on one line of the terminal (stderr). */
function stageLine(): { update(job: RetrainJob): void; done(): void } {
  const total = Object.keys(STAGE_WORDS).length;
  return {
    update(job) {
      if (job.status !== 'running') return;
      process.stderr.write(`\r\x1b[K[${job.finished + 1}/${total}] ${STAGE_WORDS[job.stage]}…`);
    },
    done() {
      process.stderr.write('\r\x1b[K');
    },
  };
}

function retrainText(outcome: NonNullable<RetrainJob['outcome']>, currency: string): string {
  const { churn, ltv, backtest, alarms } = outcome.metrics;
  const money = (amount: number) => formatMoney(Math.round(amount), currency).replace(/\.00$/, '');
  const smallShop = outcome.method === 'bgnbd';
  return [
    `Saved model version ${outcome.versionId}, trained on ${outcome.trainingRows.toLocaleString('en')} customers in ${(outcome.durationMs / 1000).toFixed(1)} s. Every customer has new scores.`,
    ...(smallShop
      ? [
          '  Small-shop mode: not enough history yet for the learned models, so the predictions come from each customer’s purchase pattern (BG/NBD).',
        ]
      : []),
    churn
      ? `  Churn risk: AUC ${churn.auc.toFixed(2)} on ${churn.testCustomers.toLocaleString('en')} customers ${smallShop ? 'measured on what they did next' : 'it never saw'} (days since the last purchase alone: ${churn.recencyAuc.toFixed(2)}).`
      : '  Churn risk: could not be measured yet (too few customers).',
    ltv
      ? `  Predicted value: typical error ${money(ltv.mae)} per customer (guessing they spend what they spent before: ${money(ltv.baselineMae)}).`
      : '  Predicted value: could not be measured yet (too few customers).',
    ...(backtest
      ? [
          `  Checked on the past: predicting as of ${new Date(backtest.asOf).toISOString().slice(0, 10)}, the churn risk ranked what ${backtest.customers.toLocaleString('en')} customers then did at AUC ${backtest.auc.toFixed(2)}.`,
        ]
      : backtest === null
        ? ['  Checked on the past: not yet possible (the history one horizon back is too short).']
        : []),
    ...(alarms ?? []).map((alarm) => `  Warning: ${alarm.message}`),
  ].join('\n');
}

function dateOrderOption(value: string): DateOrder {
  const order = value.toUpperCase();
  if (order !== 'DMY' && order !== 'MDY' && order !== 'YMD') {
    throw new InvalidArgumentError('give DMY (day/month/year), MDY (month/day/year) or YMD (year first).');
  }
  return order;
}

function countryOption(value: string): string {
  if (!/^[A-Za-z]{2}$/.test(value)) throw new InvalidArgumentError('give a two-letter country code, such as GB or US.');
  return value.toUpperCase();
}

/** A one-line progress bar on the terminal (stderr), redrawn at most ten times a second. */
function progressBar(): {
  update(counts: { bytesRead: number; fileBytes: number; rowsRead: number }): void;
  done(): void;
} {
  let last = 0;
  return {
    update(counts) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const share = counts.fileBytes === 0 ? 1 : Math.min(1, counts.bytesRead / counts.fileBytes);
      const filled = Math.round(share * 30);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${Math.round(share * 100)}%  ${counts.rowsRead.toLocaleString()} rows`,
      );
    },
    done() {
      process.stderr.write('\r\x1b[K');
    },
  };
}

function notImportedText(columns: string[]): string {
  const list = columns.map((column) => `“${column}”`).join(', ');
  return `not imported (ConstIntel does not read ${columns.length === 1 ? 'this column' : 'these columns'} as they are): ${list}. To import one, choose what it means on the app's Import page, save the settings, and use --preset.`;
}

function summaryText(s: ImportSummary): string {
  const lines = [
    s.status === 'completed'
      ? `Imported ${s.rowsRead.toLocaleString()} rows in ${(s.durationMs / 1000).toFixed(1)} s.`
      : s.status === 'cancelled'
        ? `Stopped after ${s.rowsRead.toLocaleString()} rows; import the same file again to finish it.`
        : `The import failed after ${s.rowsRead.toLocaleString()} rows: ${s.error}`,
    `  ${s.eventsCreated} events created, ${s.profilesCreated} new customers, ${s.autoMerged} merged automatically, ${s.queuedForReview} for Merge review`,
    `  ${s.duplicates} already known (skipped), ${s.anonymousSales} sales without a customer, ${s.rejected} rows rejected`,
  ];
  if (s.phonesUnreadable > 0)
    lines.push(
      `  ${s.phonesUnreadable} phone number${s.phonesUnreadable === 1 ? '' : 's'} could not be read and ${s.phonesUnreadable === 1 ? 'was' : 'were'} not stored: check --default-country (the country for phone numbers written without one)`,
    );
  if (s.rejectedFile) lines.push(`  Rejected rows, with the reason for each: ${s.rejectedFile}`);
  lines.push(`  This was import #${s.jobId}: to take it back, constintel undo-import ${s.jobId}`);
  return lines.join('\n');
}

buildCli()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const message = error instanceof AppError ? error.message : (error as Error).message;
    process.stderr.write(`constintel: ${message}\n`);
    process.exit(1);
  });
