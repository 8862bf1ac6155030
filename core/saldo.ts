import 'reflect-metadata';
import type { Hono } from 'hono';
import type { i18n } from 'i18next';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { projectRoot } from '../config/load.js';
import type { SaldoConfig } from '../config/schema.js';
import { AccountsService } from './accounts/accounts.service.js';
import { WalletService } from './accounts/wallet.service.js';
import { openDatabase, type Database } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { createBillingApp } from './http/app.js';
import { handoffLink } from './customers/handoff.js';
import { moduleSecret } from './customers/secret.js';
import { createI18n } from './i18n.js';
import { EventDispatcher } from './events/dispatcher.js';
import { Catalogue } from './orders/catalogue.js';
import { OrdersService } from './orders/orders.service.js';
import { loadPlugins, registerPlugins } from './plugin/loader.js';
import { PluginRegistry } from './plugin/registry.js';
import { TOKENS } from './tokens.js';

/** A running billing module: what a host panel holds on to. */
export interface Saldo {
  /** The Hono sub-app to mount, e.g. `app.route('/billing', saldo.app)`. */
  app: Hono;
  accounts: AccountsService;
  wallets: WalletService;
  catalogue: Catalogue;
  orders: OrdersService;
  /** The hand-off to the customer pages: a short-lived signed link for one customer. */
  customers: { handoffLink(externalRef: string, path?: string, seconds?: number): Promise<{ url: string; expiresAt: Date }> };
  /** Events for the host panel: `saldo.events.on('order.paid', fn)`; `start()` delivers in the background. */
  events: EventDispatcher;
  plugins: PluginRegistry;
  i18n: i18n;
  container: DependencyContainer;
  database: Database;
  /** Migrations applied by this start (empty when the schema was up to date). */
  migrated: string[];
  close(): Promise<void>;
}

export interface CreateOptions {
  /** An already open database (tests share one per file); opened from config otherwise. */
  database?: Database;
  /** Where relative plugin paths start; the project root by default. */
  baseDir?: string;
}

/**
 * The composition root: opens the database, applies migrations, loads plugins through the same
 * loader a third party's package goes through, and wires services in a container of their own.
 */
export async function createSaldo(config: SaldoConfig, options: CreateOptions = {}): Promise<Saldo> {
  const loaded = await loadPlugins(config.plugins, options.baseDir ?? projectRoot);
  const database = options.database ?? (await openDatabase(config.database));
  try {
    const { applied } = await migrate(database.sql);
    const container = rootContainer.createChildContainer();
    container.register(TOKENS.Config, { useValue: config });
    container.register(TOKENS.Sql, { useValue: database.sql });
    registerPlugins(container, loaded);
    const plugins = new PluginRegistry(container);
    container.register(TOKENS.Plugins, { useValue: plugins });
    const i18n = await createI18n(loaded);
    container.register(TOKENS.I18n, { useValue: i18n });
    const sessionSecret = await moduleSecret(database.sql, 'session', config.secrets.sessionSecret);
    container.register(TOKENS.SessionSecret, { useValue: sessionSecret });
    for (const service of [AccountsService, WalletService, Catalogue, OrdersService, EventDispatcher] as const) container.registerSingleton(service as never);
    const events = container.resolve(EventDispatcher);
    await events.syncTargets();

    return {
      app: createBillingApp(container, i18n),
      accounts: container.resolve(AccountsService),
      wallets: container.resolve(WalletService),
      catalogue: container.resolve(Catalogue),
      orders: container.resolve(OrdersService),
      events,
      customers: {
        handoffLink: async (externalRef: string, path?: string, seconds?: number) =>
          handoffLink(sessionSecret, config, await container.resolve(AccountsService).getByExternalRef(externalRef), path, seconds),
      },
      plugins,
      i18n,
      container,
      database,
      migrated: applied,
      close: async () => {
        await events.stop();
        await database.close();
      },
    };
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
}
