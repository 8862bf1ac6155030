import { loadConfig } from '../../config/load.js';
import type { PluginEntry, SaldoConfigInput } from '../../config/schema.js';
import type { Database } from '../../core/db/connect.js';
import { createSaldo, type Saldo } from '../../core/saldo.js';

export const API_KEY = 'test-api-key-0123456789abcdef';

/** The plugins a test Saldo loads: the built-in ones (the card gateway with `card` options), the example gateway, and `extra`. */
export function testPlugins(card: Record<string, unknown> = { processor: 'sandbox' }, extra: PluginEntry[] = []): PluginEntry[] {
  return [
    { module: './plugins/payment-modes/prepaid', options: {} },
    { module: './plugins/payment-modes/postpaid', options: { defaultCreditLimit: '150.00' } },
    { module: './plugins/discounts/billing-cycle', options: {} },
    { module: './plugins/discounts/balance-payment', options: {} },
    { module: './plugins/gateways/card', options: card },
    { module: 'saldo-gateway-example', options: { merchantId: 'm_test' } },
    ...extra,
  ];
}

/** A Saldo on a test database, configured like a provider would, with the example gateway too. */
export function testSaldo(database: Database, overrides: Partial<SaldoConfigInput> = {}): Promise<Saldo> {
  const config = loadConfig({
    env: {},
    overrides: { secrets: { apiKeys: [API_KEY] }, plugins: testPlugins(), ...overrides },
  });
  return createSaldo(config, { database });
}
