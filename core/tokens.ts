import type { i18n } from 'i18next';
import type { InjectionToken } from 'tsyringe';
import type { SaldoConfig } from '../config/schema.js';
import type { Pool } from './db/connect.js';
import type { PluginRegistry } from './plugin-host/registry.js';

/** Every dependency-injection token, in one place. Classes take them with explicit `@inject`. */
export const TOKENS = {
  Config: Symbol('Config') as InjectionToken<SaldoConfig>,
  Sql: Symbol('Sql') as InjectionToken<Pool>,
  Plugins: Symbol('Plugins') as InjectionToken<PluginRegistry>,
  I18n: Symbol('I18n') as InjectionToken<i18n>,
} as const;
