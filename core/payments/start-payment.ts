import { type GatewayCapabilities, type GatewayOutcome, type Locale, type Money, money } from '@saldo/sdk';
import type { SaldoConfig } from '../../config/schema.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { Pool } from '../db/connect.js';
import { BillingError } from '../errors.js';
import { checkIdempotencyKey } from '../idempotency-key.js';
import { requestHash } from '../ledger/request-hash.js';
import type { OrdersService } from '../orders/orders.service.js';
import { applyOutcome, type BookingDeps } from './apply-outcome.js';
import type { Gateway, Gateways } from './gateways.js';
import { findMethod } from './payment-methods.repo.js';
import { findPaymentByKey, insertPayment, type NewPayment, type Payment } from './payment.repo.js';

/** What a payment is for: money for the balance, or an amount the account owes. */
export type PaymentFor =
  | { purpose: 'top_up'; amount: Money }
  | { purpose: 'order'; orderId: bigint }
  | { purpose: 'renewal'; serviceId: bigint; period: Date };

export type StartPayment = PaymentFor & {
  gateway: string;
  /** One per payment the customer means to make: a double submission makes one payment. */
  idempotencyKey: string;
  locale: Locale;
  /** Where Saldo is reached from the customer's browser (`https://panel.example`), when `server.publicUrl` is not set. */
  origin: string;
  /** Pay with this saved method; keep the method used for later. */
  methodId?: string;
  saveMethod?: boolean;
  /** The customer is not there (automatic top-up). */
  offSession?: boolean;
  /** The version of the terms the customer accepted. */
  termsVersion?: string;
};

export interface StartDeps extends BookingDeps {
  sql: Pool;
  config: SaldoConfig;
  accounts: AccountsService;
  orders: OrdersService;
  gateways: Gateways;
}

/** The module's public address for links a processor follows back (return pages, its own routes). */
export function publicBase(config: SaldoConfig, origin: string): string {
  return new URL(config.server.basePath, config.server.publicUrl ?? origin).toString().replace(/\/$/, '');
}

/**
 * Starts collecting a payment: checks what it is for, records the intent (so a crash after this
 * point leaves a row for reconciliation, never a charge nobody knows of), calls the gateway
 * outside any transaction, and applies its answer. A call that fails or times out leaves the
 * outcome unknown, to be asked again by reconciliation. The same idempotency key again answers the
 * payment it made, without a second call.
 */
export async function startPayment(deps: StartDeps, accountId: bigint, request: StartPayment): Promise<Payment> {
  const key = checkIdempotencyKey(request.idempotencyKey);
  // The request as the customer made it (not what it came to): a replay must ask the same.
  const { idempotencyKey: _, locale: __, origin: ___, ...asked } = request;
  const hash = requestHash('payment', asked);
  const earlier = await findPaymentByKey(deps.sql, accountId, key);
  if (earlier) return replayed(earlier, hash, key);
  const account = await deps.accounts.get(accountId);
  const needs: (keyof GatewayCapabilities)[] = [request.purpose === 'top_up' ? 'topUp' : 'payDue'];
  if (request.methodId) needs.push('savedMethods');
  if (request.offSession) needs.push('offSession');
  const gateway = deps.gateways.get(request.gateway, needs);
  if (gateway.plugin.currencies && !gateway.plugin.currencies.includes(account.currency)) {
    throw new BillingError('GATEWAY_UNAVAILABLE', { gateway: gateway.code, capability: account.currency });
  }
  const method = request.methodId ? await findMethod(deps.sql, accountId, request.methodId) : undefined;
  if (request.methodId && (!method || method.gateway !== gateway.code)) throw new BillingError('PAYMENT_METHOD_NOT_FOUND');

  const what = await paymentFor(deps, account.id, account.currency, request);
  const recorded = await insertPayment(deps.sql, {
    accountId, idempotencyKey: key, requestHash: hash, gateway: gateway.code, ...what,
    methodId: method?.id ?? null, saveMethod: request.saveMethod ?? false, offSession: request.offSession ?? false,
    termsVersion: request.termsVersion ?? null,
  });
  // A concurrent request with the key recorded it first: that one calls the gateway.
  if (!recorded.created) return replayed(recorded, hash, key);

  const base = publicBase(deps.config, request.origin);
  const outcome = await call(deps.config, gateway, {
    paymentId: recorded.payment.id,
    amount: what.amount,
    customerNumber: account.customerNumber,
    description: `${account.customerNumber} ${what.purpose === 'top_up' ? 'top-up' : what.purpose}`,
    locale: request.locale,
    returnUrl: `${base}/payments/${recorded.payment.id}/return`,
    gatewayUrl: `${base}/gateways/${gateway.code}`,
    ...(method && { savedMethod: { token: method.token } }),
    ...(request.offSession && { offSession: true }),
    ...(request.saveMethod && { saveMethod: true }),
  });
  return (await deps.sql.begin((tx) => applyOutcome(tx, deps, recorded.payment.id, outcome, 'start')))!;
}

/** The payment an earlier request with this key made, if it asked the same; IDEMPOTENCY_CONFLICT otherwise. */
function replayed(earlier: { payment: Payment; requestHash: string }, hash: string, key: string): Payment {
  if (earlier.requestHash !== hash) throw new BillingError('IDEMPOTENCY_CONFLICT', { key });
  return earlier.payment;
}

/** The payment's purpose, checked against the account, with the amount it is for. */
async function paymentFor(deps: StartDeps, accountId: bigint, currency: string, request: PaymentFor): Promise<Pick<NewPayment, 'purpose' | 'orderId' | 'serviceId' | 'periodStart'> & { amount: Money }> {
  if (request.purpose === 'top_up') {
    const { amount } = request;
    if (amount.currency !== currency) throw new BillingError('CURRENCY_MISMATCH', { expected: currency, actual: amount.currency });
    return { purpose: 'top_up', amount };
  }
  if (request.purpose === 'order') {
    const order = await deps.orders.get(accountId, request.orderId);
    if (order.status !== 'awaiting_payment' || order.amountDue.amount <= 0n) throw new BillingError('NOTHING_DUE');
    return { purpose: 'order', orderId: order.id, amount: order.amountDue };
  }
  const due = (await deps.orders.amountsDue(deps.sql, accountId))
    .find((d) => d.kind === 'renewal' && d.id === request.serviceId && d.period!.getTime() === request.period.getTime());
  if (!due) throw new BillingError('NOTHING_DUE');
  return { purpose: 'renewal', serviceId: request.serviceId, periodStart: due.period, amount: money(due.amount, currency) };
}

/** The gateway's answer, or `unknown` when it throws or does not answer in time: never lost, reconciled later. */
export async function call(config: SaldoConfig, gateway: Gateway, request: Parameters<Gateway['plugin']['createPayment']>[1]): Promise<GatewayOutcome> {
  return within(config.payments.gatewayTimeoutMs, () => gateway.plugin.createPayment(gateway.ctx, request), `gateway ${gateway.code}`);
}

/** `work()`'s answer, or `unknown` when it throws or takes longer than `ms`. */
export async function within<T extends { status: string }>(ms: number, work: () => Promise<T>, what: string): Promise<T | { status: 'unknown' }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ status: 'unknown' }>((resolve) => {
    timer = setTimeout(() => {
      console.error(`[saldo] ${what}: no answer after ${ms} ms`);
      resolve({ status: 'unknown' });
    }, ms);
  });
  try {
    return await Promise.race([
      work().catch((error: unknown) => {
        console.error(`[saldo] ${what} failed`, error);
        return { status: 'unknown' as const };
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
