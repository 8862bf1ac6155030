import 'reflect-metadata';
import type { Hono } from 'hono';
import type { i18n } from 'i18next';
import { container as rootContainer } from 'tsyringe';
import { projectRoot } from '../config/load.js';
import type { SaldoConfig } from '../config/schema.js';
import { AccountsService } from './accounts/accounts.service.js';
import { WalletService } from './accounts/wallet.service.js';
import { CustomerLinks } from './customers/customer-links.js';
import { moduleSecret } from './customers/secret.js';
import { openDatabase, type Database } from './db/connect.js';
import { migrate, readMigrations } from './db/migrate.js';
import { EventDeliveries, eventTargets } from './events/deliveries.js';
import { EventLog } from './events/event-log.js';
import { createBillingApp } from './http/app.js';
import { createI18n } from './i18n.js';
import { JobQueue, jobsSchemaFor } from './jobs/job-queue.js';
import { gatewayWork, periodicWork } from './jobs/periodic.js';
import { Gateways } from './payments/gateways.js';
import { AutoTopUps } from './payments/auto-top-up.js';
import { PaymentsService } from './payments/payments.service.js';
import { Catalogue } from './orders/catalogue.js';
import { OrdersService } from './orders/orders.service.js';
import { loadPlugins } from './plugin-host/loader.js';
import { PluginRegistry } from './plugin-host/registry.js';
import type { Services } from './services.js';
import { TOKENS } from './tokens.js';

/** A running billing module: what a host panel holds on to. */
export interface Saldo {
  /** The Hono sub-app to mount, e.g. `app.route('/billing', saldo.app)`. */
  app: Hono;
  accounts: AccountsService;
  wallets: WalletService;
  catalogue: Catalogue;
  orders: OrdersService;
  /** Payments through the enabled gateways: start, status, notifications, reconciliation. */
  payments: PaymentsService;
  /** Each account's automatic top-up: settings, and the job a charge below the threshold sends. */
  autoTopUps: AutoTopUps;
  /** The hand-off to the customer pages: a short-lived signed link for one customer. */
  customers: { handoffLink(externalRef: string, path?: string, seconds?: number): Promise<{ url: string; expiresAt: Date }> };
  /**
   * Events for the host panel: `saldo.events.on('order.paid', fn)`, delivered by the instances
   * that run `start()`; `failed()` and `retry()` for deliveries that gave up.
   */
  events: Pick<EventDeliveries, 'on' | 'failed' | 'retry'>;
  plugins: PluginRegistry;
  i18n: i18n;
  database: Database;
  /** Migrations applied by this start (empty when the schema was up to date). */
  migrated: string[];
  /**
   * Starts the background work — renewals, the release of expired holds, event deliveries — in
   * this process. A panel that embeds Saldo calls it once, as `npm start` does.
   */
  start(): Promise<void>;
  /**
   * Stops the background work, letting what is in flight finish, then closes the database
   * (unless it was handed in through `CreateOptions.database`, whose owner closes it).
   */
  stop(): Promise<void>;
}

export interface CreateOptions {
  /** An already open database (tests share one per file); opened from config otherwise. */
  database?: Database;
  /** Where relative plugin paths start; the project root by default. */
  baseDir?: string;
}

/**
 * The composition root: opens the database, applies migrations, loads plugins through the same
 * loader a third party's package goes through, and builds each service once. Route groups
 * receive the services they use; nothing looks a service up later.
 */
export async function createSaldo(config: SaldoConfig, options: CreateOptions = {}): Promise<Saldo> {
  const loaded = await loadPlugins(config.plugins, options.baseDir ?? projectRoot);
  const database = options.database ?? (await openDatabase(config.database));
  const closeDatabase = () => (options.database ? Promise.resolve() : database.close());
  try {
    const { applied } = await migrate(database.sql);
    const plugins = new PluginRegistry(loaded);
    // A gateway's own tables, numbered and recorded per gateway, after the core's.
    for (const { plugin } of plugins.gateways) {
      if (plugin.migrations) applied.push(...(await migrate(database.sql, readMigrations(plugin.migrations), plugin.code)).applied);
    }
    const i18n = await createI18n(loaded);
    const container = rootContainer.createChildContainer();
    container.register(TOKENS.Config, { useValue: config });
    container.register(TOKENS.Sql, { useValue: database.sql });
    container.register(TOKENS.Plugins, { useValue: plugins });
    container.register(TOKENS.I18n, { useValue: i18n });
    const jobs = new JobQueue(database.sql, {
      schema: jobsSchemaFor(config.jobs.schema, database.schema),
      pollSeconds: config.jobs.pollSeconds,
      timeZone: config.billing.timeZone,
    });
    const eventLog = new EventLog(jobs, eventTargets(config));
    container.register(EventLog, { useValue: eventLog });
    container.register(JobQueue, { useValue: jobs });
    for (const service of [AccountsService, WalletService, Catalogue, OrdersService]) container.registerSingleton(service as never);
    const accounts = container.resolve(AccountsService);
    const wallets = container.resolve(WalletService);
    const orders = container.resolve(OrdersService);
    const gateways = new Gateways(plugins, database.sql as never, i18n);
    const payments = new PaymentsService({ sql: database.sql, config, accounts, orders, wallets, events: eventLog, gateways });
    const services: Services = {
      config,
      i18n,
      sql: database.sql,
      keyLocks: database.keyLocks,
      accounts,
      wallets,
      catalogue: container.resolve(Catalogue),
      orders,
      payments,
      autoTopUps: new AutoTopUps({ sql: database.sql, config, accounts, payments, events: eventLog }),
      customers: new CustomerLinks(database.sql, await moduleSecret(database.sql, 'session', config.secrets.sessionSecret), config),
    };
    const events = new EventDeliveries(database.sql, config, jobs);
    await jobs.prepare([events.queue, services.autoTopUps.queue, ...periodicWork(config, services), ...gatewayWork(gateways)]);
    let started = false;

    return {
      app: createBillingApp(services),
      accounts: services.accounts,
      wallets: services.wallets,
      catalogue: services.catalogue,
      orders: services.orders,
      payments: services.payments,
      autoTopUps: services.autoTopUps,
      events,
      customers: {
        handoffLink: async (externalRef, path, seconds) =>
          services.customers.handoffLink(await services.accounts.getByExternalRef(externalRef), path, seconds),
      },
      plugins,
      i18n,
      database,
      migrated: applied,
      start: async () => {
        started = true;
        await jobs.start();
      },
      stop: async () => {
        if (started) await jobs.stop();
        await closeDatabase();
      },
    };
  } catch (error) {
    await closeDatabase();
    throw error;
  }
}
