import { inject, injectable } from 'tsyringe';
import { z } from 'zod';
import type { SaldoConfig } from '../../config/schema.js';
import type { Pool, Sql } from '../db/connect.js';
import { ReadBatch } from '../db/read-batch.js';
import { EventLog } from '../events/event-log.js';
import { BillingError } from '../errors.js';
import * as ledger from '../ledger/ledger.repo.js';
import type { Entry } from '../ledger/types.js';
import { type Money, compare, currency as toCurrency, isCurrency, LOCALES, negate } from '@saldo/sdk';
import type { PluginRegistry } from '../plugin-host/registry.js';
import { TOKENS } from '../tokens.js';
import { moneySchema, validationError } from '../validation.js';
import * as accounts from './account.repo.js';
import type { AccountRef } from './account.repo.js';
import { creditLimitFor } from './credit-limit.js';
import { type Conversion, type ConversionResult, convertAccount } from './convert-account.js';
import { formatCustomerNumber } from './customer-number.js';
import { type AccountOverview, accountOverviews, type HistoryFilter, type OverviewRequest, type OverviewVersion, overviewVersions } from './overview.repo.js';
import type { BillingAccount } from './types.js';
import { type WalletFigures, walletFigures } from './wallet-figures.js';

const vatIdSchema = z.string().trim().regex(/^[A-Za-z]{2}[0-9A-Za-z+*.]{2,18}$/, 'expected a VAT number like FR40303265045').transform((v) => v.toUpperCase());

/** What the host panel gives to open a billing account for one of its customers. */
export const newAccountSchema = z.object({
  externalRef: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  currency: z.string().refine(isCurrency, 'expected a supported currency code').optional(),
  locale: z.enum(LOCALES).optional(),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'expected a two-letter country code').transform((c) => c.toUpperCase()),
  vatId: vatIdSchema.optional(),
  paymentMode: z.string().optional(),
  /** Postpaid only; the mode's default when omitted. */
  creditLimit: moneySchema.optional(),
  lowBalanceThreshold: moneySchema.optional(),
});
export type NewAccount = z.input<typeof newAccountSchema>;

/** What the panel may change of an account later, checked as at creation; `vatId: null` removes it. */
export const accountChangesSchema = newAccountSchema.pick({ name: true, email: true, locale: true, country: true }).partial()
  .extend({ vatId: vatIdSchema.nullable().optional() });
export type AccountChanges = z.input<typeof accountChangesSchema>;

@injectable()
export class AccountsService {
  constructor(
    @inject(TOKENS.Sql) private readonly sql: Pool,
    @inject(TOKENS.Config) private readonly config: SaldoConfig,
    @inject(TOKENS.Plugins) private readonly plugins: PluginRegistry,
    @inject(EventLog) private readonly events: EventLog,
  ) {}

  /**
   * Opens a billing account and its wallet in one transaction. The payment mode decides the
   * credit limit, which becomes the wallet's lower bound in the database.
   */
  async create(input: NewAccount): Promise<BillingAccount> {
    const parsed = newAccountSchema.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    const data = parsed.data;
    const currency = toCurrency(data.currency ?? this.config.billing.defaultCurrency);
    const threshold = data.lowBalanceThreshold;
    if (threshold && threshold.currency !== currency) throw new BillingError('CURRENCY_MISMATCH', { expected: currency, actual: threshold.currency });
    if (threshold && threshold.amount < 0n) throw new BillingError('AMOUNT_NEGATIVE');

    const mode = this.plugins.paymentMode(data.paymentMode ?? this.config.billing.defaultPaymentMode);
    const creditLimit = creditLimitFor(this.plugins, mode.plugin.code, currency, data.creditLimit);

    const id = await this.sql.begin(async (tx) => {
      if (await accounts.findAccount(tx, { externalRef: data.externalRef })) {
        throw new BillingError('ACCOUNT_EXISTS', { externalRef: data.externalRef });
      }
      const customerNumber = formatCustomerNumber(this.config.billing.customerNumberPrefix, await accounts.nextCustomerSequence(tx));
      const wallet = await ledger.openWallet(tx, `wallet:${customerNumber}`, negate(creditLimit));
      return accounts.insertAccount(tx, {
        externalRef: data.externalRef, customerNumber, name: data.name, email: data.email, currency,
        locale: data.locale ?? this.config.billing.defaultLocale, country: data.country, vatId: data.vatId ?? null,
        paymentMode: mode.plugin.code, walletId: wallet.id, lowBalanceThreshold: data.lowBalanceThreshold ?? null,
      });
    }).catch((error: { code?: string; constraint_name?: string }) => {
      // Two panels creating the same customer at once: the unique constraint decides.
      if (error.code === '23505' && error.constraint_name === 'billing_accounts_external_ref_key') {
        throw new BillingError('ACCOUNT_EXISTS', { externalRef: data.externalRef });
      }
      throw error;
    });
    return this.get(id);
  }

  /** Changes the account's name, email, language, country or VAT number; what is not given stays. */
  async update(id: bigint, changes: AccountChanges): Promise<BillingAccount> {
    const parsed = accountChangesSchema.safeParse(changes);
    if (!parsed.success) throw validationError(parsed.error);
    const given = Object.values(parsed.data).some((value) => value !== undefined);
    if (given && !(await accounts.updateAccount(this.sql, id, parsed.data))) throw new BillingError('ACCOUNT_NOT_FOUND');
    return this.get(id);
  }

  /** The account by id or by the panel's reference, or undefined. */
  find(ref: AccountRef): Promise<BillingAccount | undefined> {
    return accounts.findAccount(this.sql, ref);
  }

  async get(id: bigint): Promise<BillingAccount> {
    const account = await accounts.findAccount(this.sql, { id });
    if (!account) throw new BillingError('ACCOUNT_NOT_FOUND');
    return account;
  }

  async getByExternalRef(externalRef: string): Promise<BillingAccount> {
    const account = await accounts.findAccount(this.sql, { externalRef });
    if (!account) throw new BillingError('ACCOUNT_NOT_FOUND');
    return account;
  }

  /** The account with its balance, pending holds and one page of history, read together (one round trip). */
  overview(ref: AccountRef, history: HistoryFilter): Promise<AccountOverview | undefined> {
    return this.overviews.load({ ref, history });
  }

  /** The version `overview` would have now (see AccountOverview.version), and whose account it is. */
  overviewVersion(ref: AccountRef, history: HistoryFilter): Promise<OverviewVersion | undefined> {
    return this.versions.load({ ref, history });
  }

  /** The account's entries for these transfers (those of a history page it has not seen yet). */
  entriesOf(account: BillingAccount, transfers: readonly (bigint | string)[]): Promise<Entry[]> {
    return ledger.entriesOf(this.sql, account.walletId, transfers);
  }

  /** Where the history page just above the transfer `id` starts (see ledger `newerPage`). */
  newerPage(account: BillingAccount, id: bigint, limit: number, period: { from?: Date; until?: Date }): Promise<bigint | null | undefined> {
    return ledger.newerPage(this.sql, account.walletId, id, limit, period);
  }

  // Page views are gathered into one statement each turn of the event loop (see ReadBatch).
  private readonly overviews = new ReadBatch<OverviewRequest, AccountOverview>((requests) => accountOverviews(this.sql, requests));
  private readonly versions = new ReadBatch<OverviewRequest, OverviewVersion>((requests) => overviewVersions(this.sql, requests));

  async balance(id: bigint): Promise<WalletFigures> {
    const account = await this.get(id);
    return walletFigures(await ledger.walletBalance(this.sql, account.walletId), account.lowBalanceThreshold);
  }

  /**
   * Sets a new credit limit. Lowering it below what is already used is refused by the wallet's
   * CHECK in the same statement (CREDIT_LIMIT_BELOW_USAGE), never by a read-then-write here.
   */
  async setCreditLimit(id: bigint, limit: Money, sql: Sql = this.sql): Promise<void> {
    const account = await this.get(id);
    if (limit.currency !== account.currency) throw new BillingError('CURRENCY_MISMATCH', { expected: account.currency, actual: limit.currency });
    if (limit.amount < 0n) throw new BillingError('AMOUNT_NEGATIVE');
    const set = async (tx: Sql) => {
      // The account's row lock, as a conversion takes it: the mode that judges the limit is the one
      // it lands on, never one a concurrent conversion is replacing (a prepaid account keeps zero).
      const [row] = await tx<{ payment_mode: string }[]>`SELECT payment_mode FROM billing_accounts WHERE id = ${id} FOR UPDATE`;
      creditLimitFor(this.plugins, row!.payment_mode, account.currency, limit);
      await ledger.setMinBalance(tx, account.walletId, negate(limit));
    };
    await ('savepoint' in sql ? set(sql) : sql.begin(set));
  }

  /** The customer's own low-balance alert level (null: no alert). */
  async setLowBalanceThreshold(id: bigint, threshold: Money | null): Promise<void> {
    const account = await this.get(id);
    if (threshold && threshold.currency !== account.currency) throw new BillingError('CURRENCY_MISMATCH', { expected: account.currency, actual: threshold.currency });
    if (threshold && threshold.amount < 0n) throw new BillingError('AMOUNT_NEGATIVE');
    await this.sql`UPDATE billing_accounts SET low_balance_threshold_minor = ${threshold?.amount ?? null}, updated_at = now() WHERE id = ${id}`;
  }

  /** Switches the account between payment modes (see convertAccount for the rules). */
  async convert(id: bigint, request: Conversion): Promise<ConversionResult> {
    return convertAccount(this.sql, this.config, this.plugins, this.events, await this.get(id), request);
  }

  /** The account's recorded payment-mode changes, oldest first. */
  async conversions(id: bigint) {
    return this.sql<{ from_mode: string; to_mode: string; credit_limit_minor: bigint; changed_by: string; outside_window: boolean; created_at: Date }[]>`
      SELECT from_mode, to_mode, credit_limit_minor, changed_by, outside_window, created_at
        FROM payment_mode_changes WHERE account_id = ${id} ORDER BY id`;
  }

}
