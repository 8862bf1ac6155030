import type { i18n } from 'i18next';
import { inject, injectable } from 'tsyringe';
import type { SaldoConfig } from '../../config/schema.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { WalletService } from '../accounts/wallet.service.js';
import type { Pool, Sql } from '../db/connect.js';
import { BillingError } from '../errors.js';
import { EventLog } from '../events/event-log.js';
import * as ledger from '../ledger/ledger.repo.js';
import type { Locale, Money } from '@saldo/sdk';
import type { PluginRegistry } from '../plugin-host/registry.js';
import { TOKENS } from '../tokens.js';
import { Catalogue } from './catalogue.js';
import { type CheckoutDeps, type CheckoutResult, checkout } from './checkout.js';
import { findOrder, type Order, withoutHash } from './order.repo.js';
import { type OrderRequest, type Quote, quoteOrder } from './quote.js';
import { cancelOrder, type Completion, completeOrder } from './complete-order.js';
import {
  type AmountDue, amountsDue, cancelService, payRenewal, payRenewalIn, type RenewalOutcome, renewDue, renewIfDue, type Service, servicesOf, setAutoRenew,
} from './renewals.js';

/** The host panel's order flow: quote, checkout, orders. */
@injectable()
export class OrdersService {
  private readonly deps: CheckoutDeps;

  constructor(
    @inject(TOKENS.Sql) sql: Pool,
    @inject(TOKENS.Config) config: SaldoConfig,
    @inject(TOKENS.Plugins) plugins: PluginRegistry,
    @inject(TOKENS.I18n) i18n: i18n,
    @inject(Catalogue) catalogue: Catalogue,
    @inject(AccountsService) accounts: AccountsService,
    @inject(WalletService) wallets: WalletService,
    @inject(EventLog) events: EventLog,
  ) {
    this.deps = { sql, config, plugins, i18n, catalogue, accounts, wallets, events };
  }

  /** Prices items for an account and says whether its balance (or credit) covers them. */
  async quote(accountId: bigint, request: OrderRequest, locale?: Locale): Promise<Quote> {
    const account = await this.deps.accounts.get(accountId);
    const usable = await ledger.usableCredit(this.deps.sql, account.walletId);
    return quoteOrder(this.deps.sql, this.deps, account, usable, request, locale);
  }

  /** Checks out once per idempotency key: `paid` at once when covered, else `awaiting_payment`. */
  checkout(accountId: bigint, request: OrderRequest, idempotencyKey: string): Promise<CheckoutResult> {
    return checkout(this.deps, accountId, request, idempotencyKey);
  }

  /** The account's services (paid order lines), oldest first. */
  services(accountId: bigint): Promise<Service[]> {
    return servicesOf(this.deps.sql, this.deps.config.billing.balanceRenewals, accountId);
  }

  /** The renewal job: renews (or records as awaiting payment) every service due at `now`. */
  renewDue(now?: Date): Promise<RenewalOutcome[]> {
    return renewDue(this.deps, now);
  }

  renewIfDue(serviceId: bigint, now: Date = new Date()): Promise<RenewalOutcome> {
    return renewIfDue(this.deps, serviceId, now);
  }

  /** The customer pays the shown period of a service from their balance. */
  payRenewal(accountId: bigint, serviceId: bigint, period: Date): Promise<RenewalOutcome> {
    return payRenewal(this.deps, accountId, serviceId, period);
  }

  /** `payRenewal` in the caller's transaction (a gateway payment's booking). */
  payRenewalIn(tx: Sql, accountId: bigint, serviceId: bigint, period: Date, amount?: Money): Promise<RenewalOutcome> {
    return payRenewalIn(tx, this.deps, accountId, serviceId, period, amount);
  }

  /** What the account waits to pay, oldest first. */
  amountsDue(sql: Sql, accountId: bigint): Promise<AmountDue[]> {
    return amountsDue(sql, accountId, this.deps.config.billing.balanceRenewals);
  }

  /** The customer's switch: whether a service renews by itself (refused where the provider forbids it). */
  setAutoRenew(accountId: bigint, serviceId: bigint, on: boolean): Promise<Service> {
    return setAutoRenew(this.deps.sql, this.deps.config.billing.balanceRenewals, accountId, serviceId, on);
  }

  cancelService(accountId: bigint, serviceId: bigint): Promise<Service> {
    return cancelService(this.deps.sql, this.deps.config.billing.balanceRenewals, accountId, serviceId);
  }

  /** Pays an order awaiting payment from the balance, in the caller's transaction (a payment's booking). */
  complete(tx: Sql, orderId: bigint, via: 'gateway' | 'balance', reference?: string): Promise<Completion> {
    return completeOrder(tx, this.deps, orderId, via, reference);
  }

  /** The customer gives up an order awaiting payment: its held part is released. */
  cancel(accountId: bigint, orderId: bigint): Promise<Order> {
    return cancelOrder(this.deps, accountId, orderId);
  }

  /** An order of this account; another account's order is not found. */
  async get(accountId: bigint, orderId: bigint): Promise<Order> {
    const found = await findOrder(this.deps.sql, { id: orderId });
    if (!found || found.accountId !== accountId) throw new BillingError('NOT_FOUND');
    return withoutHash(found);
  }
}
