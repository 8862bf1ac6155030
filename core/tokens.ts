import type { i18n } from 'i18next';
import type { InjectionToken } from 'tsyringe';
import type { SaldoConfig } from '../config/schema.js';
import type { Pool } from './db/connect.js';
import type { LoadedPlugin } from './plugin/loader.js';
import type { DiscountPlugin, GatewayPlugin, PaymentModePlugin } from './plugin/types.js';
import type { PluginRegistry } from './plugin/registry.js';

/** Every dependency-injection token, in one place. Classes take them with explicit `@inject`. */
export const TOKENS = {
  Config: Symbol('Config') as InjectionToken<SaldoConfig>,
  Sql: Symbol('Sql') as InjectionToken<Pool>,
  Plugins: Symbol('Plugins') as InjectionToken<PluginRegistry>,
  I18n: Symbol('I18n') as InjectionToken<i18n>,
  SessionSecret: Symbol('SessionSecret') as InjectionToken<string>,
  PaymentModes: Symbol('PaymentModes') as InjectionToken<LoadedPlugin<PaymentModePlugin>>,
  Gateways: Symbol('Gateways') as InjectionToken<LoadedPlugin<GatewayPlugin>>,
  Discounts: Symbol('Discounts') as InjectionToken<LoadedPlugin<DiscountPlugin>>,
} as const;
