import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { BillingError } from '../errors.js';
import { TOKENS } from '../tokens.js';
import type { LoadedPlugin } from './loader.js';
import type { AnyPlugin, DiscountPlugin, GatewayPlugin, PaymentModePlugin } from './types.js';

const all = <P extends AnyPlugin>(container: DependencyContainer, token: InjectionToken<LoadedPlugin<P>>) =>
  container.isRegistered(token) ? container.resolveAll(token) : [];

/** The core's only view of plugins: by kind and code, never by import. */
export class PluginRegistry {
  readonly paymentModes: readonly LoadedPlugin<PaymentModePlugin>[];
  readonly gateways: readonly LoadedPlugin<GatewayPlugin>[];
  readonly discounts: readonly LoadedPlugin<DiscountPlugin>[];

  constructor(container: DependencyContainer) {
    this.paymentModes = all(container, TOKENS.PaymentModes);
    this.gateways = all(container, TOKENS.Gateways);
    this.discounts = [...all(container, TOKENS.Discounts)].sort((a, b) => a.plugin.priority - b.plugin.priority);
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
