import type { SaldoConfig } from '../../config/schema.js';
import type { Pool } from '../db/connect.js';
import { BillingError, isBillingError } from '../errors.js';
import * as ledger from '../ledger/ledger.repo.js';
import type { EventLog } from '../events/event-log.js';
import { type Money, negate, toJSON } from '@saldo/sdk';
import type { PluginRegistry } from '../plugin-host/registry.js';
import { creditLimitFor } from './credit-limit.js';
import type { BillingAccount } from './types.js';

export interface Conversion {
  /** The mode to switch to: `prepaid`, `postpaid`, or another payment-mode plugin's code. */
  to: string;
  /** The credit limit to give (postpaid); the mode's default when omitted. */
  creditLimit?: Money;
  /** Who asked: an operator's id or name, recorded with the change. */
  by: string;
  /** The moment of the change (tests); now by default. */
  at?: Date;
}

export interface ConversionResult {
  from: string;
  to: string;
  creditLimit: Money;
  /** Advice for the operator: e.g. done outside the window after the monthly invoice run. */
  warnings: 'OUTSIDE_CONVERSION_WINDOW'[];
}

/** Day of the month at `at` in the provider's time zone. */
function dayOfMonth(at: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone, day: 'numeric' }).format(at));
}

/**
 * Converts an account to another payment mode in one transaction: the new mode decides the
 * credit limit (zero for prepaid), the wallet's bound moves to it — refused by the database while
 * the balance is below it, so a customer in debt settles before going prepaid — and the change is
 * recorded. Converting is best done right after the monthly invoice run; outside the configured
 * window it still happens, with a warning.
 */
export async function convertAccount(
  sql: Pool, config: SaldoConfig, plugins: PluginRegistry, events: EventLog, account: BillingAccount, request: Conversion,
): Promise<ConversionResult> {
  if (request.to === account.paymentMode) throw new BillingError('PAYMENT_MODE_UNCHANGED', { mode: request.to });
  const creditLimit = creditLimitFor(plugins, request.to, account.currency, request.creditLimit);
  const at = request.at ?? new Date();
  const outsideWindow = dayOfMonth(at, config.billing.timeZone) > config.billing.conversionWindowDays;

  await sql.begin(async (tx) => {
    // Serialise conversions of one account; the mode read below is then the current one.
    const [row] = await tx<{ payment_mode: string }[]>`
      SELECT payment_mode FROM billing_accounts WHERE id = ${account.id} FOR UPDATE`;
    if (row!.payment_mode === request.to) throw new BillingError('PAYMENT_MODE_UNCHANGED', { mode: request.to });
    try {
      await ledger.setMinBalance(tx, account.walletId, negate(creditLimit));
    } catch (error) {
      if (!isBillingError(error, 'CREDIT_LIMIT_BELOW_USAGE')) throw error;
      const wallet = await ledger.walletBalance(tx, account.walletId);
      throw new BillingError('BALANCE_NEGATIVE', { balance: wallet.balance }, { cause: error });
    }
    await tx`UPDATE billing_accounts SET payment_mode = ${request.to}, updated_at = now() WHERE id = ${account.id}`;
    await tx`
      INSERT INTO payment_mode_changes (account_id, from_mode, to_mode, credit_limit_minor, currency, changed_by, outside_window, created_at)
      VALUES (${account.id}, ${row!.payment_mode}, ${request.to}, ${creditLimit.amount}, ${account.currency}, ${request.by},
              ${outsideWindow}, ${at})`;
    await events.emit(tx, 'account.mode_changed', account.id, {
      externalRef: account.externalRef, from: row!.payment_mode, to: request.to, creditLimit: toJSON(creditLimit), outsideWindow, by: request.by,
    });
  });

  return { from: account.paymentMode, to: request.to, creditLimit, warnings: outsideWindow ? ['OUTSIDE_CONVERSION_WINDOW'] : [] };
}
