#!/usr/bin/env node
import { join } from 'node:path';
/**
 * The `constintel` command. Every subcommand honours `--data-dir` and
 * `CONSTINTEL_DATA_DIR`, so it works on the same file as the desktop app.
 */
import { Command, InvalidArgumentError } from 'commander';
import { AppError } from '../shared/contract/errors';
import { consoleLogger, systemClock } from './core/clock';
import { brandByName, listShopify, saveShopify } from './core/connections/shopify-connections';
import { saveWhatsApp } from './core/connections/whatsapp-connection';
import { Core } from './core/core';
import { openDatabase } from './core/db/open';
import { appVersion, DATABASE_FILE_NAME, resolveDataDir } from './core/paths';
import { FileSecretStore } from './core/secrets/secret-store';
import { ensureDefaultBrand } from './core/settings/settings-store';
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
      const db = openDatabase(join(resolveDataDir({ flag: opts.dataDir }), DATABASE_FILE_NAME));
      try {
        ensureDefaultBrand(db, systemClock);
        const core = new Core(db, systemClock, consoleLogger);
        process.stdout.write(`${opts.rotate ? core.rotateApiKey() : core.apiKey()}\n`);
        core.close();
      } finally {
        db.close();
      }
    });

  const connect = program.command('connect').description('Connect ConstIntel to Shopify from a terminal.');
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

  connect
    .command('whatsapp')
    .description("Connect WhatsApp: the Meta app's secret and the verify token you type into Meta's webhook settings.")
    .requiredOption('--app-secret <secret>', "the Meta app's secret (App settings → Basic)")
    .requiredOption('--verify-token <token>', 'any word you choose; type the same into Meta as the verify token')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action((opts: { appSecret: string; verifyToken: string; dataDir?: string }) => {
      const dataDir = resolveDataDir({ flag: opts.dataDir });
      openDatabase(join(dataDir, DATABASE_FILE_NAME)).close();
      saveWhatsApp(new FileSecretStore(dataDir), { appSecret: opts.appSecret, verifyToken: opts.verifyToken });
      process.stdout.write(
        "Connected WhatsApp. In Meta, use <your tunnel's address>/webhooks/whatsapp as the callback URL.\n",
      );
    });

  return program;
}

buildCli()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const message = error instanceof AppError ? error.message : (error as Error).message;
    process.stderr.write(`constintel: ${message}\n`);
    process.exit(1);
  });
