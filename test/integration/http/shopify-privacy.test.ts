/** Shopify privacy topics and `constintel connect shopify`, through real signed deliveries. */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { tempDir } from '../../support/backend';
import { order, SHOP, shopifyWebhookShop } from '../../support/shopify-webhook-shop';
import { builtScript } from '../../support/spawn';

const shop = shopifyWebhookShop();
const { deliver, count, profileOf } = shop;
let backend: Backend;
beforeAll(async () => {
  backend = shop.backend;
  // Ann Lee's history: four orders, as a shop would have sent before she asks.
  for (const id of [5001, 5002, 5003, 5004]) await deliver('orders/create', order(id));
});

describe('privacy topics', () => {
  it('customers/data_request writes a JSON export of everything held and records where', async () => {
    const response = await deliver('customers/data_request', {
      shop_id: 1,
      shop_domain: SHOP,
      orders_requested: [5001, 5002],
      customer: { id: 7001, email: 'ann.lee@example.com', phone: '+447700900123' },
      data_request: { id: 9999 },
    });
    expect(response.status).toBe(200);
    const request = backend.db.sqlite.prepare("SELECT * FROM privacy_request WHERE kind = 'data_request'").get() as {
      export_path: string;
      profiles_affected: number;
    };
    expect(request.profiles_affected).toBe(1);
    const exported = JSON.parse(readFileSync(request.export_path, 'utf8')) as {
      customers: { identifiers: unknown[]; events: unknown[] }[];
    };
    expect(exported.customers[0]?.identifiers).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: 'ann.lee@example.com' })]),
    );
    expect(exported.customers[0]?.events.length).toBeGreaterThan(3);
    expect(statSync(request.export_path).mode & 0o777).toBe(0o600);
  });

  it('customers/redact erases the profile, identifiers, events and stored bodies; an audit row without personal data remains', async () => {
    const ann = await profileOf('ann.lee@example.com');
    const response = await deliver('customers/redact', {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 7001, email: 'ann.lee@example.com', phone: '+447700900123' },
      orders_to_redact: [5001, 5002],
    });
    expect(response.status).toBe(200);
    expect((await backend.call('customers.search', { query: 'ann.lee@example.com' })).total).toBe(0);
    await expect(backend.call('customers.get', { id: ann.id })).rejects.toMatchObject({ kind: 'not_found' });
    expect(count('SELECT count(*) FROM customer_raw_event WHERE customer_profile_id = ?', ann.id)).toBe(0);
    expect(count("SELECT count(*) FROM profile_identifier WHERE value LIKE '%ann.lee%'")).toBe(0);
    expect(count("SELECT count(*) FROM webhook_delivery WHERE body LIKE '%ann.lee@example.com%'")).toBe(0);
    const audit = backend.db.sqlite
      .prepare("SELECT * FROM privacy_request WHERE kind = 'redact_customer'")
      .get() as Record<string, unknown>;
    expect(audit).toMatchObject({ requested_by: 'shopify', profiles_affected: 1 });
    expect(JSON.stringify(audit)).not.toMatch(/ann|7700900123/i);
  });

  it('the shop can erase or export a customer from Customer 360', async () => {
    await deliver(
      'orders/create',
      order(6001, { email: 'dora@example.com', customer: { id: 7100, email: 'dora@example.com', first_name: 'Dora' } }),
    );
    const dora = await profileOf('dora@example.com');
    const exported = await backend.call('customers.exportData', { id: dora.id });
    expect(readFileSync(exported.path, 'utf8')).toContain('dora@example.com');
    expect(await backend.call('customers.erase', { id: dora.id })).toEqual({ profilesErased: 1, eventsErased: 1 });
    expect((await backend.call('customers.search', { query: 'dora' })).total).toBe(0);
    await expect(backend.call('customers.erase', { id: dora.id })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('customers/redact never erases a family member found only through a shared phone', async () => {
    await deliver(
      'orders/create',
      order(6101, {
        email: 'mum@example.com',
        phone: '07700 900444',
        customer: { id: 7201, email: 'mum@example.com' },
      }),
    );
    await deliver(
      'orders/create',
      order(6102, {
        email: 'son@example.com',
        phone: '07700 900444',
        customer: { id: 7202, email: 'son@example.com' },
      }),
    );
    // The son is recorded as a user of the family phone his mother's profile holds; erasing him removes that too.
    const uses = "SELECT count(*) FROM shared_identifier_use WHERE value = '+447700900444'";
    expect(count(uses)).toBe(1);
    expect(
      (
        await deliver('customers/redact', {
          shop_domain: SHOP,
          customer: { id: 7202, email: 'son@example.com', phone: '+447700900444' },
        })
      ).status,
    ).toBe(200);
    expect((await backend.call('customers.search', { query: 'son@example.com' })).total).toBe(0);
    expect((await backend.call('customers.search', { query: 'mum@example.com' })).total).toBe(1);
    expect(count(uses)).toBe(0);
  });

  it('shop/redact of a second shop erases it, brand included, and answers 200', async () => {
    backend.db.sqlite
      .prepare(
        "INSERT INTO brand (id, name, default_country, currency, created_at, updated_at) VALUES (2, 'Second shop', 'GB', 'GBP', 0, 0)",
      )
      .run();
    await backend.call('connections.saveShopify', {
      shopDomain: 'second-shop.myshopify.com',
      secret: 'second-secret',
      brandId: 2,
    });
    const second = { shop: 'second-shop.myshopify.com', secret: 'second-secret' };
    expect(
      (
        await deliver(
          'orders/create',
          order(7001, { email: 'zed@example.com', customer: { id: 9001, email: 'zed@example.com' } }),
          second,
        )
      ).status,
    ).toBe(200);
    expect(count('SELECT count(*) FROM customer_profile WHERE brand_id = 2')).toBe(1);
    expect(
      (await deliver('shop/redact', { shop_id: 2, shop_domain: 'second-shop.myshopify.com' }, second)).status,
    ).toBe(200);
    expect(count('SELECT count(*) FROM brand WHERE id = 2')).toBe(0);
    expect(count('SELECT count(*) FROM customer_raw_event WHERE brand_id = 2')).toBe(0);
    expect(count("SELECT count(*) FROM privacy_request WHERE kind = 'redact_shop' AND brand_id = 2")).toBe(1);
  });

  it('shop/redact erases every customer of that shop', async () => {
    expect(count('SELECT count(*) FROM customer_profile WHERE brand_id = 1')).toBeGreaterThan(0);
    expect((await deliver('shop/redact', { shop_id: 1, shop_domain: SHOP })).status).toBe(200);
    expect(count('SELECT count(*) FROM customer_profile WHERE brand_id = 1')).toBe(0);
    expect(count('SELECT count(*) FROM customer_raw_event WHERE brand_id = 1')).toBe(0);
    expect(count("SELECT count(*) FROM privacy_request WHERE kind = 'redact_shop' AND brand_id = 1")).toBe(1);
  });
});

describe('constintel connect shopify', () => {
  it('saves the store and its secret in a file only the user can read', () => {
    const other = tempDir();
    try {
      const run = spawnSync(
        process.execPath,
        [
          builtScript('cli'),
          'connect',
          'shopify',
          '--shop-domain',
          'hill-deli.myshopify.com',
          '--secret',
          's3cret',
          '--brand',
          'Hill Deli',
          '--data-dir',
          other.path,
        ],
        { encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^Connected hill-deli\.myshopify\.com to Hill Deli\./);
      expect(statSync(join(other.path, 'secrets.json')).mode & 0o777).toBe(0o600);
      const bad = spawnSync(
        process.execPath,
        [
          builtScript('cli'),
          'connect',
          'shopify',
          '--shop-domain',
          'hill.com',
          '--secret',
          'x',
          '--data-dir',
          other.path,
        ],
        {
          encoding: 'utf8',
        },
      );
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/ends in \.myshopify\.com/);
    } finally {
      other.remove();
    }
  });
});
