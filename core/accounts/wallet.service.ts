import { inject, injectable } from 'tsyringe';
import type { SaldoConfig } from '../../config/schema.js';
import type { Pool, Sql } from '../db/connect.js';
import { BillingError } from '../errors.js';
import { EventLog } from '../events/event-log.js';
import { checkIdempotencyKey } from '../idempotency-key.js';
import { JobQueue } from '../jobs/job-queue.js';
import { followCrossing, followLeftCrossings } from './after-debit.js';
import * as ledger from '../ledger/ledger.repo.js';
import type { PostingDescription } from '../ledger/posting-description.js';
import type { ChargeRefund, Entry, Hold, Transfer } from '../ledger/types.js';
import type { Currency, Money } from '@saldo/sdk';
import { TOKENS } from '../tokens.js';
import * as accountsRepo from './account.repo.js';
import type { BillingAccount } from './types.js';

type Wallet = Pick<BillingAccount, 'id' | 'walletId' | 'currency'>;

/** System accounts money flows to and from, per currency. */
export const SYSTEM = {
  /** Money received by a gateway and not yet paid out to the provider. */
  clearing: 'gateway_clearing',
  revenue: 'revenue',
  /** The other side of an operator's credit (goodwill, a correction): what the provider gave away. */
  adjustments: 'adjustments',
} as const;

export interface MoveOptions {
  /** Unique per operation on this account; replays return the first result. */
  idempotencyKey: string;
  /** Text kept as it is written (what the JSON API answers, and what a posting without `described` shows). */
  description?: string;
  /** What the posting is, as data: the pages render it in the reader's language (posting-description.ts). */
  described?: PostingDescription;
  metadata?: Record<string, string | number | boolean | null>;
}

/**
 * A customer's wallet in customer terms: top up, charge, refund, hold. Idempotency keys are
 * scoped to the account, so two customers can never collide on (or replay) each other's keys.
 */
@injectable()
export class WalletService {
  /**
   * An account's wallet and currency, and the system accounts' ids, never change once created
   * (ledger accounts cannot be deleted), so they are cached: a charge is then one round trip.
   */
  private readonly wallets = new Map<bigint, Wallet>();
  private readonly systemIds = new Map<string, bigint>();

  constructor(
    @inject(TOKENS.Sql) private readonly sql: Pool,
    @inject(TOKENS.Config) private readonly config: SaldoConfig,
    @inject(EventLog) private readonly events: EventLog,
    @inject(JobQueue) private readonly jobs: JobQueue,
  ) {}

  /** Credits money the customer paid (through a gateway) to their balance. */
  topUp(accountId: bigint, amount: Money, options: MoveOptions, sql: Sql = this.sql): Promise<Transfer> {
    return this.move(sql, accountId, amount, options, 'top_up', async (account) => ({
      debit: await this.systemId(sql, SYSTEM.clearing, account.currency),
      credit: account.walletId,
    }));
  }

  /**
   * Takes a charge from the balance (and credit limit); refused when usable credit is short. What
   * follows a charge — the low-balance alert, an automatic top-up — is sent in its transaction:
   * the caller's, or one of its own.
   */
  async charge(accountId: bigint, amount: Money, options: MoveOptions, sql?: Sql): Promise<Transfer> {
    const on = sql ?? this.sql;
    const transfer = await this.move(on, accountId, amount, options, 'charge', async (account) => ({
      debit: account.walletId,
      credit: await this.systemId(on, SYSTEM.revenue, account.currency),
    }));
    if (transfer.crossed) {
      const deps = { events: this.events, jobs: this.jobs };
      await (sql ? followCrossing(sql, deps, transfer.id) : this.sql.begin((tx) => followCrossing(tx, deps, transfer.id)));
    }
    return transfer;
  }

  /** Crossings a stopped process left behind (see after-debit.ts). */
  followLeftCrossings(): Promise<number> {
    return followLeftCrossings(this.sql, { events: this.events, jobs: this.jobs });
  }

  /** An operator's credit to the balance (goodwill, a correction), booked with its reason. */
  credit(accountId: bigint, amount: Money, options: { idempotencyKey: string; reason: string }, sql: Sql = this.sql): Promise<Transfer> {
    const { idempotencyKey, reason } = options;
    return this.move(sql, accountId, amount, { idempotencyKey, description: reason, described: { kind: 'adjustment', reason } }, 'adjustment', async (account) => ({
      debit: await this.systemId(sql, SYSTEM.adjustments, account.currency),
      credit: account.walletId,
    }));
  }

  /**
   * Gives back `amount` (all that is left when omitted) of one of the account's charges. The
   * refunds of a charge never exceed it, whatever the concurrency: the database refuses
   * (REFUND_EXCEEDS_CHARGE). Another account's charge is CHARGE_NOT_FOUND.
   */
  async refundCharge(
    accountId: bigint, chargeId: bigint, amount: Money | undefined, options: { idempotencyKey: string; reason: string }, sql: Sql = this.sql,
  ): Promise<ChargeRefund> {
    const account = amount ? await this.accountIn(accountId, amount, sql) : await this.wallet(accountId, sql);
    return ledger.refundCharge(sql, {
      idempotencyKey: this.scoped(account, options.idempotencyKey),
      charge: chargeId,
      wallet: account.walletId,
      amount,
      debit: await this.systemId(sql, SYSTEM.revenue, account.currency),
      reason: options.reason,
      described: { kind: 'refund', reason: options.reason, charge: chargeId.toString() },
    });
  }

  /** Gives money back to the balance, as a new transfer (posted transfers never change). */
  refund(accountId: bigint, amount: Money, options: MoveOptions, sql: Sql = this.sql): Promise<Transfer> {
    return this.move(sql, accountId, amount, options, 'refund', async (account) => ({
      debit: await this.systemId(sql, SYSTEM.revenue, account.currency),
      credit: account.walletId,
    }));
  }

  /** Money going back where a payment came from (the card): from the balance to the gateway clearing account. */
  returnToGateway(accountId: bigint, amount: Money, options: MoveOptions, sql: Sql): Promise<Transfer> {
    return this.move(sql, accountId, amount, options, 'payment_refund', async (account) => ({
      debit: account.walletId,
      credit: await this.systemId(sql, SYSTEM.clearing, account.currency),
    }));
  }

  /** Pending holds of the account's wallet. */
  async holds(accountId: bigint): Promise<Hold[]> {
    const account = await this.wallet(accountId);
    return ledger.pendingHolds(this.sql, account.walletId);
  }

  /** Reserves part of the balance (e.g. while a gateway collects the rest of an order). */
  async hold(accountId: bigint, amount: Money, options: MoveOptions & { expiresAt?: Date }, sql: Sql = this.sql): Promise<Hold> {
    const account = await this.accountIn(accountId, amount, sql);
    const ttl = this.config.billing.holdTtlMinutes * 60_000;
    return ledger.hold(sql, {
      idempotencyKey: this.scoped(account, options.idempotencyKey),
      account: account.walletId,
      amount,
      expiresAt: options.expiresAt ?? new Date(Date.now() + ttl),
      description: options.description,
      described: options.described,
      metadata: options.metadata,
    });
  }

  /** Takes `amount` (at most what was held) of a hold as a charge; the rest is released. */
  async capture(accountId: bigint, holdId: bigint, amount: Money, options: MoveOptions, sql: Sql = this.sql): Promise<Transfer> {
    const account = await this.accountIn(accountId, amount, sql);
    await this.ownHold(account, holdId, sql);
    return ledger.capture(sql, {
      idempotencyKey: this.scoped(account, options.idempotencyKey),
      hold: holdId,
      amount,
      credit: await this.systemId(sql, SYSTEM.revenue, account.currency),
      description: options.description,
      described: options.described,
      metadata: options.metadata,
    });
  }

  async release(accountId: bigint, holdId: bigint, sql: Sql = this.sql): Promise<Hold> {
    const account = await this.wallet(accountId, sql);
    await this.ownHold(account, holdId, sql);
    return ledger.voidHold(sql, holdId);
  }

  /** Releases every expired pending hold (the scheduled sweep); answers how many. */
  expireHolds(): Promise<number> {
    return ledger.expireHolds(this.sql);
  }

  async history(accountId: bigint, page: { before?: bigint; limit?: number; from?: Date; until?: Date } = {}): Promise<Entry[]> {
    const account = await this.wallet(accountId);
    return ledger.entries(this.sql, account.walletId, page);
  }

  private async move(
    sql: Sql, accountId: bigint, amount: Money, options: MoveOptions, kind: string,
    sides: (account: Wallet) => Promise<{ debit: bigint; credit: bigint }>,
  ): Promise<Transfer & { crossed: boolean }> {
    const account = await this.accountIn(accountId, amount, sql);
    return ledger.transfer(sql, {
      idempotencyKey: this.scoped(account, options.idempotencyKey),
      kind,
      amount,
      ...(await sides(account)),
      description: options.description,
      described: options.described,
      metadata: options.metadata,
    });
  }

  /** Looked up with the caller's handle: inside a transaction the pool may have no free connection. */
  private async wallet(accountId: bigint, sql: Sql = this.sql): Promise<Wallet> {
    let found = this.wallets.get(accountId);
    if (!found) {
      const account = await accountsRepo.findAccount(sql, { id: accountId });
      if (!account) throw new BillingError('ACCOUNT_NOT_FOUND');
      const { id, walletId, currency } = account;
      found = { id, walletId, currency };
      if (this.wallets.size >= 100_000) this.wallets.clear();
      this.wallets.set(accountId, found);
    }
    return found;
  }

  private async systemId(sql: Sql, code: string, currency: Currency): Promise<bigint> {
    const key = `${code}:${currency}`;
    let id = this.systemIds.get(key);
    if (id === undefined) {
      const account = await ledger.systemAccount(sql, code, currency);
      id = account.id;
      // Created inside the caller's transaction, it exists only if that commits: not kept then.
      if (!account.created || !('savepoint' in sql)) this.systemIds.set(key, id);
    }
    return id;
  }

  private async accountIn(accountId: bigint, amount: Money, sql: Sql): Promise<Wallet> {
    const account = await this.wallet(accountId, sql);
    if (amount.currency !== account.currency) {
      throw new BillingError('CURRENCY_MISMATCH', { expected: account.currency, actual: amount.currency });
    }
    return account;
  }

  /** A hold of another account is reported as not found: its existence is not the caller's business. */
  private async ownHold(account: Wallet, holdId: bigint, sql: Sql): Promise<void> {
    const found = await ledger.findHold(sql, holdId);
    if (!found || found.account !== account.walletId) throw new BillingError('HOLD_NOT_FOUND', { hold: holdId });
  }

  private scoped(account: Wallet, key: string): string {
    return `a${account.id}:${checkIdempotencyKey(key)}`;
  }
}
