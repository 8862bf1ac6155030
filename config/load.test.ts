import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BillingError } from '../core/errors.js';
import { loadConfig } from './load.js';

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as BillingError;
  }
  throw new Error('expected loadConfig to fail');
};

describe('configuration', () => {
  it('has working defaults for a demo', () => {
    const config = loadConfig({ env: {} });
    expect(config.server.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toBe('.saldo-data');
    expect(config.billing.defaultCurrency).toBe('EUR');
    expect(config.plugins.map((p) => p.module)).toContain('./plugins/payment-modes/prepaid');
  });

  it('takes overrides from the environment', () => {
    const config = loadConfig({
      env: { PORT: '8080', DATABASE_URL: 'postgres://u@db/x', SALDO_DATA_DIR: '/var/lib/saldo', SALDO_API_KEYS: 'a'.repeat(24) + ', ' + 'b'.repeat(24) },
    });
    expect(config.server.port).toBe(8080);
    expect(config.database.url).toBe('postgres://u@db/x');
    expect(config.database.dataDir).toBe('/var/lib/saldo');
    expect(config.secrets.apiKeys).toEqual(['a'.repeat(24), 'b'.repeat(24)]);
  });

  it('reads a JSON file, which the environment overrides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'saldo-config-'));
    const file = join(dir, 'saldo.json');
    writeFileSync(file, JSON.stringify({ server: { port: 4000, host: '0.0.0.0' }, billing: { defaultCurrency: 'ZAR' } }));
    const config = loadConfig({ env: { SALDO_CONFIG: file, PORT: '5000' } });
    expect(config.server).toMatchObject({ port: 5000, host: '0.0.0.0' });
    expect(config.billing.defaultCurrency).toBe('ZAR');
  });

  it('stops on a wrong value, naming the field, the expectation and the source', () => {
    const error = failure(() => loadConfig({ env: { PORT: 'eighty' } }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/server\.port: .*number.*\(from environment variable PORT\)/);
  });

  it('lists every wrong field at once', () => {
    const error = failure(() =>
      loadConfig({ env: { DATABASE_URL: 'mysql://x' }, overrides: { billing: { defaultCurrency: 'XYZ', customerNumberPrefix: 'abc' } } }),
    );
    expect(error.message).toContain('database.url: expected a postgres:// URL (from environment variable DATABASE_URL)');
    expect(error.message).toContain('billing.defaultCurrency: expected an ISO 4217 currency code');
    expect(error.message).toContain('billing.customerNumberPrefix: expected up to 4 capital letters');
  });

  it('trusts no proxy unless told, and reads its addresses from a comma-separated variable', () => {
    expect(loadConfig({ env: {} }).server.trustedProxy).toEqual({ addresses: [] });
    const config = loadConfig({ env: { SALDO_TRUSTED_PROXIES: '10.0.0.0/8, ::1', SALDO_TRUSTED_PROXY_SECRET: 's'.repeat(24) } });
    expect(config.server.trustedProxy).toEqual({ addresses: ['10.0.0.0/8', '::1'], secret: 's'.repeat(24) });
    const error = failure(() => loadConfig({ env: { SALDO_TRUSTED_PROXIES: 'proxy.example' } }));
    expect(error.message).toContain('server.trustedProxy.addresses.0: expected an IP address or a network like "10.0.0.0/8"');
  });

  it('names an unreadable or malformed config file', () => {
    expect(failure(() => loadConfig({ env: { SALDO_CONFIG: '/nonexistent/saldo.json' } })).code).toBe('CONFIG_FILE_UNREADABLE');
    const dir = mkdtempSync(join(tmpdir(), 'saldo-config-'));
    writeFileSync(join(dir, 'bad.json'), '{ "server": ');
    const error = failure(() => loadConfig({ env: { SALDO_CONFIG: join(dir, 'bad.json') } }));
    expect(error.code).toBe('CONFIG_FILE_UNREADABLE');
    expect(error.message).toContain('bad.json');
  });

  it('leaves renewal from a prepaid balance off unless the provider turns it on, and reads the former switch as it meant', () => {
    const renewals = (billing: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => loadConfig({ env, overrides: { billing } }).billing.balanceRenewals;
    expect(renewals({})).toBe('off-by-default');
    expect(renewals({ balanceRenewals: 'on-by-default' })).toBe('on-by-default');
    expect(renewals({}, { SALDO_BALANCE_RENEWALS: 'forbidden' })).toBe('forbidden');
    expect([renewals({ renewFromBalance: true }), renewals({ renewFromBalance: false })]).toEqual(['on-by-default', 'forbidden']);
    expect(failure(() => renewals({ renewFromBalance: false, balanceRenewals: 'on-by-default' })).message).toContain('billing.renewFromBalance: replaced by billing.balanceRenewals');
    expect(failure(() => renewals({ balanceRenewals: 'sometimes' })).message).toContain('billing.balanceRenewals: Invalid option');
  });
});
