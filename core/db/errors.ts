import { BillingError, errorCatalogue, type ErrorCode, type ErrorParams } from '../errors.js';
import { isCurrency, money } from '@saldo/sdk';

interface PostgresErrorLike {
  code?: string;
  message: string;
  detail?: string;
  constraint_name?: string;
}

/** Parameters whose values are amounts in minor units of the `currency` parameter. */
const moneyParams = ['available', 'held', 'requested', 'refundable'];

/** Constraint violations that mean something to a caller, by constraint name. */
const constraints: Record<string, (params: ErrorParams) => BillingError> = {
  ledger_holds_account_fk: () => new BillingError('LEDGER_ACCOUNT_INVALID', { account: 'hold', reason: 'unknown account or other currency' }),
  ledger_transfers_two_sides: () => new BillingError('LEDGER_ACCOUNT_INVALID', { account: 'credit', reason: 'same account on both sides' }),
  ledger_accounts_within_bound: () => new BillingError('CREDIT_LIMIT_BELOW_USAGE'),
  charge_refund_totals_within_charge: () => new BillingError('REFUND_EXCEEDS_CHARGE'),
};

/**
 * What the driver or the server answers when the database cannot be reached right now, as opposed
 * to a query it refused: the connection was refused, reset, closed, timed out or never made
 * (postgres.js: CONNECTION_CLOSED, CONNECT_TIMEOUT, …; Node's socket errors), the server is
 * shutting down (57P01 administrator command, 57P02 crash of another backend), starting up or
 * recovering (57P03 cannot connect now), out of connection slots (53300), or any connection
 * exception (class 08). Each passes by itself, so the caller may try again shortly.
 */
const unreachableCodes = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_SOCKET_CLOSED',
  '57P01', '57P02', '57P03', '53300',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (unreachableCodes.has(code) || code.startsWith('08'));
}

/**
 * Turns what the database refused into a BillingError: the ledger functions raise SQLSTATE SL001
 * with a catalogue code and JSON parameters; named constraints map to their meaning. Anything
 * else is returned unchanged — it is a fault, not a caller's mistake.
 */
export function fromDatabaseError(error: unknown): unknown {
  const e = error as PostgresErrorLike;
  if (e?.code === 'SL001' && e.message in errorCatalogue) {
    let raw: Record<string, unknown> = {};
    try {
      raw = JSON.parse(e.detail ?? '{}');
    } catch {
      /* detail is informative only */
    }
    const params: ErrorParams = {};
    for (const [key, value] of Object.entries(raw)) params[key] = value as string;
    const currency = raw.currency;
    if (isCurrency(currency)) {
      for (const key of moneyParams) {
        if (typeof raw[key] === 'string') params[key] = money(BigInt(raw[key] as string), currency);
      }
    }
    return new BillingError(e.message as ErrorCode, params, { cause: error });
  }
  if ((e?.code === '23503' || e?.code === '23514') && e.constraint_name && constraints[e.constraint_name]) {
    return constraints[e.constraint_name]!({});
  }
  return error;
}

