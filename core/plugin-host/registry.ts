import type { DiscountPlugin, GatewayPlugin, PaymentModePlugin } from '@saldo/sdk';
import { BillingError } from '../errors.js';
import type { LoadedPlugin } from './loader.js';

/** The core's only view of plugins: by kind and code, never by import. */
export class PluginRegistry {
  readonly paymentModes: readonly LoadedPlugin<PaymentModePlugin>[];
  readonly gateways: readonly LoadedPlugin<GatewayPlugin>[];
  /** In the order they apply: lowest priority first. */
  readonly discounts: readonly LoadedPlugin<DiscountPlugin>[];

  constructor(loaded: readonly LoadedPlugin[]) {
    const of = <P extends LoadedPlugin['plugin']>(kind: P['kind']) => loaded.filter((l) => l.plugin.kind === kind) as LoadedPlugin<P>[];
    this.paymentModes = of<PaymentModePlugin>('payment-mode');
    this.gateways = of<GatewayPlugin>('gateway');
    this.discounts = of<DiscountPlugin>('discount').sort((a, b) => a.plugin.priority - b.plugin.priority);
  }

  paymentMode(code: string): LoadedPlugin<PaymentModePlugin> {
    const found = this.paymentModes.find((p) => p.plugin.code === code);
    if (!found) throw new BillingError('PAYMENT_MODE_UNKNOWN', { mode: code });
    return found;
  }

  gateway(code: string): LoadedPlugin<GatewayPlugin> | undefined {
    return this.gateways.find((p) => p.plugin.code === code);
  }
}
