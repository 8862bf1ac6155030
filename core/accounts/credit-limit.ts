import { BillingError } from '../errors.js';
import { type Currency, equals, type Money } from '@saldo/sdk';
import type { PluginRegistry } from '../plugin-host/registry.js';

/**
 * The credit limit an account gets in payment mode `modeCode`: the mode decides. A limit asked
 * for must be one the mode grants as it is (prepaid grants only zero); otherwise the request is
 * refused rather than silently changed.
 */
export function creditLimitFor(plugins: PluginRegistry, modeCode: string, currency: Currency, requested?: Money): Money {
  const mode = plugins.paymentMode(modeCode);
  if (requested && requested.currency !== currency) throw new BillingError('CURRENCY_MISMATCH', { expected: currency, actual: requested.currency });
  const limit = mode.plugin.creditLimit({ config: mode.config, currency, requested });
  if (requested && !equals(limit, requested)) throw new BillingError('VALIDATION_FAILED', { fields: 'creditLimit' });
  return limit;
}
