import type { Sql } from '../db/connect.js';
import { fromDatabaseError } from '../db/errors.js';
import { BillingError } from '../errors.js';
import { checkIdempotencyKey } from '../idempotency-key.js';
import { type Currency, type Money, money } from '@saldo/sdk';
import type { PostingDescription } from './posting-description.js';
import { requestHash } from './request-hash.js';
import type {
  CaptureRequest, ChargeRefund, Entry, Hold, HoldRequest, LedgerAccount, LedgerAccountKind, RefundChargeRequest, Transfer,
  TransferRequest, WalletBalance,
} from './types.js';

// Every function takes the `sql` handle first — the pool, or the transaction of a larger command —
// and moves money in exactly one statement: a call of a ledger function defined in the migrations.

interface AccountRow { id: bigint; code: string; kind: LedgerAccountKind; currency: Currency }
interface PostingRow {
  transfer_id: bigint;
  created_at: Date;
  replayed: boolean;
  debit_balance: bigint | null;
  credit_balance: bigint | null;
}
interface HoldRow {
  id: bigint;
  account_id: bigint;
  currency: Currency;
  amount_minor: bigint;
  status: Hold['status'];
  captured_minor: bigint | null;
  description: string;
  metadata: { description?: PostingDescription };
  expires_at: Date;
  created_at: Date;
  settled_at: Date | null;
}

/**
 * The metadata stored with a posting: the caller's, with the structured description under
 * `description`. That description is left out of the request's fingerprint: it says how to show
 * the posting, not what it does, and Saldo derives it from state a legitimate duplicate may see
 * differently (a concurrent duplicate of a checkout reserves another order number; a product may
 * be renamed before a retry). The first request's description is the one kept.
 */
const stored = (r: { metadata?: Record<string, unknown>; described?: PostingDescription }) =>
  (r.described ? { ...r.metadata, description: r.described } : (r.metadata ?? {})) as Parameters<Sql['json']>[0];

function checkPositive(amount: Money) {
  if (amount.amount <= 0n) throw new BillingError('AMOUNT_NOT_POSITIVE');
}

/** The unique indexes that decide which of two requests racing with one new key wins. */
const keyIndexes = new Set(['ledger_transfers_idempotency_key_key', 'ledger_holds_idempotency_key_key']);
const lostKeyRace = (error: unknown) => {
  const e = error as { code?: string; constraint_name?: string };
  return e.code === '23505' && keyIndexes.has(e.constraint_name ?? '');
};

/**
 * Runs one ledger statement. When a concurrent request with the same new idempotency key
 * committed first, this one failed whole (its balance updates rolled back with it); running it
 * again answers it as a replay of the winner. Inside a caller's transaction the statement runs
 * under a savepoint, so losing the race does not abort that transaction.
 */
async function statement<T>(sql: Sql, run: (sql: Sql) => Promise<T>): Promise<T> {
  const once = (q: Sql) => ('savepoint' in q ? q.savepoint((sp) => run(sp)) : run(q)) as Promise<T>;
  try {
    return await once(sql);
  } catch (error) {
    if (!lostKeyRace(error)) throw fromDatabaseError(error);
  }
  try {
    return await once(sql);
  } catch (error) {
    throw fromDatabaseError(error);
  }
}

const toAccount = (row: AccountRow): LedgerAccount => ({ id: row.id, code: row.code, kind: row.kind, currency: row.currency });

/** Opens a wallet with its lower bound; returns the existing one when the code is taken. */
export async function openWallet(sql: Sql, code: string, minBalance: Money): Promise<LedgerAccount> {
  if (minBalance.amount > 0n) throw new BillingError('AMOUNT_NEGATIVE');
  const [row] = await sql<AccountRow[]>`
    INSERT INTO ledger_accounts (code, kind, currency, min_balance_minor)
    VALUES (${code}, 'wallet', ${minBalance.currency}, ${minBalance.amount})
    RETURNING id, code, kind, currency`;
  return toAccount(row!);
}

/**
 * The system account `code` in `currency` (revenue, tax, gateway clearing, …), created on first
 * use. Safe under concurrency: the insert is a no-op when another caller created it first.
 */
export async function systemAccount(sql: Sql, code: string, currency: Currency): Promise<LedgerAccount & { created: boolean }> {
  const fullCode = `${code}:${currency}`;
  const [created] = await sql<AccountRow[]>`
    INSERT INTO ledger_accounts (code, kind, currency) VALUES (${fullCode}, 'system', ${currency})
    ON CONFLICT (code) DO NOTHING
    RETURNING id, code, kind, currency`;
  if (created) return { ...toAccount(created), created: true };
  const [existing] = await sql<AccountRow[]>`SELECT id, code, kind, currency FROM ledger_accounts WHERE code = ${fullCode}`;
  if (existing!.kind !== 'system' || existing!.currency !== currency) {
    throw new BillingError('LEDGER_ACCOUNT_INVALID', { account: fullCode, reason: 'not a system account in this currency' });
  }
  return { ...toAccount(existing!), created: false };
}

export async function findAccount(sql: Sql, id: bigint): Promise<LedgerAccount | undefined> {
  const [row] = await sql<AccountRow[]>`SELECT id, code, kind, currency FROM ledger_accounts WHERE id = ${id}`;
  return row && toAccount(row);
}

export async function transfer(sql: Sql, request: TransferRequest): Promise<Transfer & { crossed: boolean }> {
  const key = checkIdempotencyKey(request.idempotencyKey);
  checkPositive(request.amount);
  const { amount, debit, credit, kind } = request;
  const description = request.description ?? '';
  const metadata = request.metadata ?? {};
  const hash = requestHash('transfer', { kind, debit, credit, amount, description, metadata });

  // `crossed`: the charge took its wallet below a threshold its account watches (migration 0020).
  const [row] = await statement(sql, (q) => q<(PostingRow & { crossed: boolean })[]>`
    SELECT t.*, t.transfer_id IS NOT NULL AND ${kind} = 'charge' AND NOT t.replayed AND balance_crossed(t.transfer_id) AS crossed
      FROM ledger_transfer(${key}, ${hash}, ${kind}, ${debit}, ${credit}, ${amount.amount},
                           ${amount.currency}, ${description}, ${q.json(stored(request))}) t`);
  return { ...toTransfer(row!, { kind, debit, credit, amount, description }), crossed: row!.crossed };
}

export async function hold(sql: Sql, request: HoldRequest): Promise<Hold> {
  const key = checkIdempotencyKey(request.idempotencyKey);
  checkPositive(request.amount);
  const { account, amount, expiresAt } = request;
  const description = request.description ?? '';
  const metadata = request.metadata ?? {};
  const hash = requestHash('hold', { account, amount, expiresAt: expiresAt.toISOString(), description, metadata });

  const [row] = await statement(sql, (q) => q<HoldRow[]>`
    SELECT * FROM ledger_hold(${key}, ${hash}, ${account}, ${amount.amount}, ${amount.currency},
                              ${expiresAt}, ${description}, ${q.json(stored(request))})`);
  return toHold(row!);
}

export async function capture(sql: Sql, request: CaptureRequest): Promise<Transfer> {
  const key = checkIdempotencyKey(request.idempotencyKey);
  checkPositive(request.amount);
  const { hold: holdId, amount, credit } = request;
  const description = request.description ?? '';
  const metadata = request.metadata ?? {};
  const hash = requestHash('capture', { hold: holdId, amount, credit, description, metadata });

  const [held] = await sql<HoldRow[]>`SELECT * FROM ledger_holds WHERE id = ${holdId}`;
  if (!held) throw new BillingError('HOLD_NOT_FOUND', { hold: holdId });
  if (held.currency !== amount.currency) {
    throw new BillingError('CURRENCY_MISMATCH', { expected: held.currency, actual: amount.currency });
  }
  const [row] = await statement(sql, (q) => q<PostingRow[]>`
    SELECT * FROM ledger_capture(${key}, ${hash}, ${holdId}, ${amount.amount}, ${credit}, ${description}, ${q.json(stored(request))})`);
  return toTransfer(row!, { kind: 'capture', debit: held.account_id, credit, amount, description });
}

/**
 * Gives back part or all of a charge to the wallet it debited. The database bounds the refunds of
 * one charge by the charge (see ledger_refund_charge): REFUND_EXCEEDS_CHARGE otherwise.
 */
export async function refundCharge(sql: Sql, request: RefundChargeRequest): Promise<ChargeRefund> {
  const key = checkIdempotencyKey(request.idempotencyKey);
  if (request.amount) checkPositive(request.amount);
  const { charge, wallet, amount, debit, reason } = request;
  const metadata = request.metadata ?? {};
  const hash = requestHash('refund_charge', { charge, wallet, amount: amount ?? null, debit, reason, metadata });

  const [row] = await statement(sql, (q) => q<(PostingRow & { currency: Currency; amount: bigint; charged: bigint; refunded: bigint })[]>`
    SELECT * FROM ledger_refund_charge(${key}, ${hash}, ${charge}, ${wallet}, ${amount?.amount ?? null}, ${debit},
                                       ${reason}, ${q.json(stored(request))})`);
  const { currency } = row!;
  return {
    transfer: toTransfer(row!, { kind: 'refund', debit, credit: wallet, amount: money(row!.amount, currency), description: reason }),
    charge: { id: charge, amount: money(row!.charged, currency), refunded: money(row!.refunded, currency) },
  };
}

export async function voidHold(sql: Sql, holdId: bigint): Promise<Hold> {
  const [row] = await statement(sql, (q) => q<HoldRow[]>`SELECT * FROM ledger_void(${holdId})`);
  return toHold(row!);
}

export async function findHold(sql: Sql, holdId: bigint): Promise<Hold | undefined> {
  const [row] = await sql<HoldRow[]>`SELECT * FROM ledger_holds WHERE id = ${holdId}`;
  return row && toHold(row);
}

export async function pendingHolds(sql: Sql, account: bigint): Promise<Hold[]> {
  const rows = await sql<HoldRow[]>`
    SELECT * FROM ledger_holds WHERE account_id = ${account} AND status = 'pending' ORDER BY id`;
  return rows.map(toHold);
}

/** Releases every expired pending hold, wallet by wallet (each in its own short statement). */
export async function expireHolds(sql: Sql): Promise<number> {
  const wallets = await sql<{ account_id: bigint }[]>`
    SELECT DISTINCT account_id FROM ledger_holds WHERE status = 'pending' AND expires_at <= now()`;
  let released = 0;
  for (const { account_id } of wallets) {
    const [row] = await sql<{ n: number }[]>`SELECT ledger_expire_holds(${account_id}) AS n`;
    released += row!.n;
  }
  return released;
}

/** A wallet's figures from its stored columns (minor units; the bound is stored as −credit limit). */
export function toWalletBalance(row: { balance_minor: bigint; held_minor: bigint; min_balance_minor: bigint }, currency: Currency): WalletBalance {
  return {
    balance: money(row.balance_minor, currency),
    held: money(row.held_minor, currency),
    creditLimit: money(-row.min_balance_minor, currency),
    usableCredit: money(row.balance_minor - row.held_minor - row.min_balance_minor, currency),
  };
}

/**
 * A wallet's figures; with `lock`, the wallet's row stays locked until the caller's transaction
 * ends, so that a price decided on them (a balance-only discount) still holds when it is charged.
 */
export async function walletBalance(sql: Sql, account: bigint, { lock = false } = {}): Promise<WalletBalance> {
  const [row] = await sql<{ currency: Currency; balance_minor: bigint; held_minor: bigint; min_balance_minor: bigint }[]>`
    SELECT currency, balance_minor, held_minor, min_balance_minor FROM ledger_accounts
     WHERE id = ${account} AND kind = 'wallet' ${lock ? sql`FOR UPDATE` : sql``}`;
  if (!row) throw new BillingError('LEDGER_ACCOUNT_NOT_FOUND', { account: String(account) });
  return toWalletBalance(row, row.currency);
}

/** What can still be spent or held from the wallet now (see `walletBalance` for `lock`). */
export const usableCredit = async (sql: Sql, account: bigint, options?: { lock?: boolean }): Promise<Money> =>
  (await walletBalance(sql, account, options)).usableCredit;

/**
 * Changes a wallet's lower bound (a credit limit change). The CHECK on the row refuses a bound
 * the wallet already breaks, as CREDIT_LIMIT_BELOW_USAGE.
 */
export async function setMinBalance(sql: Sql, account: bigint, minBalance: Money): Promise<void> {
  if (minBalance.amount > 0n) throw new BillingError('AMOUNT_NEGATIVE');
  const rows = await statement(sql, (q) => q`
    UPDATE ledger_accounts SET min_balance_minor = ${minBalance.amount}
     WHERE id = ${account} AND kind = 'wallet' AND currency = ${minBalance.currency}`);
  if (rows.count === 0) throw new BillingError('LEDGER_ACCOUNT_NOT_FOUND', { account: String(account) });
}

/** Balance as the sum of the account's entries: the truth the cached wallet balance must equal. */
export async function derivedBalance(sql: Sql, account: bigint): Promise<bigint> {
  const [row] = await sql<{ total: bigint }[]>`
    SELECT coalesce(sum(amount_minor), 0)::bigint AS total FROM ledger_entries WHERE account_id = ${account}`;
  return row!.total;
}

/** An account's entries (one per transfer it took part in), newest first, `limit` at a time before the transfer `before`. */
export async function entries(
  sql: Sql, account: bigint, options: { before?: bigint; limit?: number; from?: Date; until?: Date } = {},
): Promise<Entry[]> {
  const limit = Math.min(options.limit ?? 50, 1000);
  const rows = await sql<EntryRow[]>`
    SELECT transfer_id, kind, currency, amount_minor, balance_after_minor, description, described, created_at
      FROM ledger_entries
     WHERE account_id = ${account} ${options.before ? sql`AND transfer_id < ${options.before}` : sql``}
       ${options.from ? sql`AND created_at >= ${options.from}` : sql``} ${options.until ? sql`AND created_at < ${options.until}` : sql``}
     ORDER BY transfer_id DESC LIMIT ${limit}`;
  return rows.map(toEntry);
}

/**
 * Where the page of `limit` entries just newer than the transfer `id` starts, for a link back up
 * the history: the `before` bound that page is read with, null when it is the first page (fewer
 * than `limit` are newer), undefined when nothing is newer.
 */
export async function newerPage(
  sql: Sql, account: bigint, id: bigint, limit: number, options: { from?: Date; until?: Date } = {},
): Promise<bigint | null | undefined> {
  const rows = await sql<{ transfer_id: bigint }[]>`
    SELECT transfer_id FROM ledger_entries
     WHERE account_id = ${account} AND transfer_id > ${id}
       ${options.from ? sql`AND created_at >= ${options.from}` : sql``} ${options.until ? sql`AND created_at < ${options.until}` : sql``}
     ORDER BY transfer_id LIMIT ${limit + 1}`;
  if (rows.length === 0) return undefined;
  return rows.length > limit ? rows[limit]!.transfer_id : null;
}

/** An account's entries for the given transfers, newest first (ids of other accounts' transfers find nothing). */
export async function entriesOf(sql: Sql, account: bigint, transfers: readonly (bigint | string)[]): Promise<Entry[]> {
  if (transfers.length === 0) return [];
  const rows = await sql<EntryRow[]>`
    SELECT transfer_id, kind, currency, amount_minor, balance_after_minor, description, described, created_at
      FROM ledger_entries
     WHERE account_id = ${account} AND transfer_id = ANY(${`{${transfers.join(',')}}`}::text::bigint[])
     ORDER BY transfer_id DESC`;
  return rows.map(toEntry);
}

interface EntryRow {
  transfer_id: bigint; kind: string; currency: Currency; amount_minor: bigint;
  balance_after_minor: bigint | null; description: string; described: PostingDescription | null; created_at: Date;
}

function toEntry(r: EntryRow): Entry {
  return {
    id: r.transfer_id,
    transferId: r.transfer_id,
    kind: r.kind,
    amount: money(r.amount_minor, r.currency),
    balanceAfter: r.balance_after_minor === null ? null : money(r.balance_after_minor, r.currency),
    description: r.description,
    described: r.described ?? null,
    createdAt: r.created_at,
  };
}

function toTransfer(row: PostingRow, request: Pick<Transfer, 'kind' | 'debit' | 'credit' | 'amount' | 'description'>): Transfer {
  const { currency } = request.amount;
  return {
    id: row.transfer_id,
    ...request,
    createdAt: row.created_at,
    replayed: row.replayed,
    debitBalanceAfter: row.debit_balance === null ? null : money(row.debit_balance, currency),
    creditBalanceAfter: row.credit_balance === null ? null : money(row.credit_balance, currency),
  };
}

function toHold(row: HoldRow): Hold {
  return {
    id: row.id,
    account: row.account_id,
    amount: money(row.amount_minor, row.currency),
    status: row.status,
    captured: row.captured_minor === null ? null : money(row.captured_minor, row.currency),
    description: row.description,
    described: row.metadata?.description ?? null,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    settledAt: row.settled_at,
  };
}
