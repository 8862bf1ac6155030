import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/load.js';
import { BillingError } from '../errors.js';
import { money } from '@saldo/sdk';
import { createI18n } from '../i18n.js';
import { gatewayContext } from '../payments/gateways.js';
import { loadPlugins } from './loader.js';
import { PluginRegistry } from './registry.js';

const prepaid = { module: './plugins/payment-modes/prepaid', options: {} };
const postpaid = { module: './plugins/payment-modes/postpaid', options: { defaultCreditLimit: '250.00' } };
const thirdParty = { module: 'saldo-gateway-example', options: { merchantId: 'm_42' } };
const noDatabase = (() => {
  throw new Error('this test has no database');
}) as never;

async function failure(entries: { module: string; options: Record<string, unknown> }[]) {
  try {
    await loadPlugins(entries, projectRoot);
  } catch (error) {
    return error as BillingError;
  }
  throw new Error('expected loading to fail');
}

describe('plugin loader', () => {
  it('loads built-in plugins by path and a third-party package by name, the same way', async () => {
    const loaded = await loadPlugins([prepaid, postpaid, thirdParty], projectRoot);
    expect(loaded.map((l) => [l.plugin.kind, l.plugin.code, l.source])).toEqual([
      ['payment-mode', 'prepaid', './plugins/payment-modes/prepaid'],
      ['payment-mode', 'postpaid', './plugins/payment-modes/postpaid'],
      ['gateway', 'example-pay', 'saldo-gateway-example'],
    ]);
    // Options are parsed by the plugin's own schema, defaults applied.
    expect(loaded[2]!.config).toEqual({ merchantId: 'm_42', sandbox: true });
    expect(loaded[0]!.translations.fr).toMatchObject({ label: 'Prépayé' });
  });

  it('groups plugins by kind, and the registry finds them by code', async () => {
    const registry = new PluginRegistry(await loadPlugins([prepaid, postpaid, thirdParty], projectRoot));
    expect(registry.paymentModes.map((p) => p.plugin.code)).toEqual(['prepaid', 'postpaid']);
    const mode = registry.paymentMode('postpaid');
    expect(mode.plugin.creditLimit({ config: mode.config, currency: 'EUR' })).toEqual(money(25_000n, 'EUR'));

    const gateway = registry.gateway('example-pay')!;
    const outcome = await gateway.plugin.createPayment(
      gatewayContext(gateway, noDatabase, await createI18n([gateway])),
      { paymentId: 'p1', amount: money(1013n, 'EUR'), customerNumber: 'C10017', description: 'Top-up', returnUrl: 'http://x', gatewayUrl: 'http://x/gateways/example-pay', locale: 'en' },
    );
    expect(outcome).toEqual({ status: 'declined', reason: 'card_declined' });
    expect(() => registry.paymentMode('barter')).toThrow(expect.objectContaining({ code: 'PAYMENT_MODE_UNKNOWN' }));
  });

  it('refuses options the plugin’s schema rejects, naming the plugin and the field', async () => {
    const error = await failure([{ module: 'saldo-gateway-example', options: { merchantId: 'acme' } }]);
    expect(error.code).toBe('PLUGIN_CONFIG_INVALID');
    expect(error.message).toContain('example-pay (saldo-gateway-example)');
    expect(error.message).toContain('merchantId: expected a merchant id like "m_123"');
  });

  it('refuses a plugin written for another API version', async () => {
    const error = await failure([{ module: './test/plugins/broken/future-api.ts', options: {} }]);
    expect(error.code).toBe('PLUGIN_API_VERSION');
    expect(error.params).toMatchObject({ wanted: 99, supported: '1' });
  });

  it('refuses two plugins of one kind with the same code, naming both', async () => {
    const error = await failure([prepaid, { module: './test/plugins/broken/also-prepaid.ts', options: {} }]);
    expect(error.code).toBe('PLUGIN_DUPLICATE_CODE');
    expect(error.message).toContain('./plugins/payment-modes/prepaid and ./test/plugins/broken/also-prepaid.ts');
  });

  it('refuses a module that cannot be found', async () => {
    expect((await failure([{ module: 'saldo-gateway-nowhere', options: {} }])).code).toBe('PLUGIN_NOT_FOUND');
    const error = await failure([{ module: './plugins/gateways/nowhere', options: {} }]);
    expect(error.code).toBe('PLUGIN_NOT_FOUND');
    expect(error.message).toContain('./plugins/gateways/nowhere');
  });

  it('refuses a module that is not a Saldo plugin, or lacks its kind’s hooks', async () => {
    const notPlugin = await failure([{ module: './test/plugins/broken/not-a-plugin.ts', options: {} }]);
    expect(notPlugin.code).toBe('PLUGIN_INVALID');
    expect(notPlugin.message).toContain('kind');
    const halfDone = await failure([{ module: './test/plugins/broken/missing-hook.ts', options: {} }]);
    expect(halfDone.code).toBe('PLUGIN_INVALID');
    expect(halfDone.message).toContain('createPayment: expected a function');
  });
});
