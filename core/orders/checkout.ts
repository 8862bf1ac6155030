import type { SaldoConfig } from '../../config/schema.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { WalletService } from '../accounts/wallet.service.js';
import type { Pool, Sql } from '../db/connect.js';
import { BillingError, isBillingError } from '../errors.js';
import { checkIdempotencyKey } from '../idempotency-key.js';
import type { EventLog } from '../events/event-log.js';
import * as ledger from '../ledger/ledger.repo.js';
import { requestHash } from '../ledger/request-hash.js';
import { type Money, toJSON } from '@saldo/sdk';
import type { PostingDescription } from '../ledger/posting-description.js';
import { soldItem } from './catalogue.js';
import { type PaidWith, paidFrom } from './paid-with.js';
import { createServices, findOrder, insertOrder, type Order, reserveOrderId, withoutHash } from './order.repo.js';
import { type OrderRequest, orderItemsSchema, type Quote, type QuoteDeps, quoteOrder } from './quote.js';

export interface CheckoutResult {
  order: Order;
  /** `paid`: the panel may activate at once. `awaiting_payment`: send the customer to `paymentUrl`. */
  status: Order['status'];
  amountDue: Money;
  paymentUrl: string | null;
}

export interface CheckoutDeps extends QuoteDeps {
  sql: Pool;
  accounts: AccountsService;
  wallets: WalletService;
  config: SaldoConfig;
  events: EventLog;
}

function paymentUrl(config: SaldoConfig, order: Order): string | null {
  if (order.status !== 'awaiting_payment') return null;
  const base = config.server.publicUrl ? new URL(config.server.basePath, config.server.publicUrl).toString() : config.server.basePath;
  return `${base.replace(/\/$/, '')}/pay/${order.id}`;
}

/**
 * Checks out an order, once per idempotency key and account. When the balance (or credit)
 * covers it, it is charged at once and answered `paid`. Otherwise nothing is charged: the part
 * the balance can give is held (when "use my balance" is on) and the rest is due through a
 * gateway — `awaiting_payment`. Everything, the order's event included, commits together.
 */
export async function checkout(deps: CheckoutDeps, accountId: bigint, request: OrderRequest, idempotencyKey: string): Promise<CheckoutResult> {
  const key = checkIdempotencyKey(idempotencyKey);
  const parsed = orderItemsSchema.safeParse(request);
  const hash = requestHash('checkout', parsed.success ? parsed.data : request);
  const account = await deps.accounts.get(accountId);

  const respond = (order: Order): CheckoutResult => ({ order, status: order.status, amountDue: order.amountDue, paymentUrl: paymentUrl(deps.config, order) });
  const replay = (found: Order & { requestHash: string }) => {
    if (found.requestHash !== hash) throw new BillingError('IDEMPOTENCY_CONFLICT', { key });
    return respond(withoutHash(found));
  };

  const existing = await findOrder(deps.sql, { accountId, idempotencyKey: key });
  if (existing) return replay(existing);

  return deps.sql.begin(async (tx) => {
    // The wallet locked from the quote on: the balance-only discount is decided on the money
    // already there, which no other charge may take before this one is made.
    const usable = (sql: Sql) => ledger.usableCredit(sql, account.walletId, { lock: true });
    let quote = await quoteOrder(tx, deps, account, await usable(tx), request);
    // Numbered first, so that the charge or hold can say which order it is for.
    const id = await reserveOrderId(tx);
    const described = (q: Quote): PostingDescription => ({ kind: 'order', order: id.toString(), items: q.lines.map((l) => soldItem(l.names, l)) });
    let chargeTransferId: bigint | null = null;
    let paidWith: PaidWith = 'balance';
    let holdId: bigint | null = null;

    // The ledger keys derive from the checkout key: a concurrent duplicate of this checkout
    // replays the same charge or hold instead of moving money a second time.
    if (quote.covered) {
      try {
        const charge = await deps.wallets.charge(account.id, quote.total, {
          idempotencyKey: `checkout:${key}`, description: quote.lines.map((l) => l.name).join(', '), described: described(quote), metadata: { checkout: key },
        }, tx);
        chargeTransferId = charge.id;
        paidWith = paidFrom(charge);
      } catch (error) {
        // Spent elsewhere since the quote: price it again on what is left now.
        if (!isBillingError(error, 'INSUFFICIENT_FUNDS')) throw error;
        quote = await quoteOrder(tx, deps, account, await usable(tx), request);
      }
    }
    if (!chargeTransferId && quote.balanceApplied.amount > 0n) {
      try {
        const hold = await deps.wallets.hold(account.id, quote.balanceApplied, {
          idempotencyKey: `checkout-hold:${key}`, described: described(quote), metadata: { checkout: key },
        }, tx);
        holdId = hold.id;
      } catch (error) {
        if (!isBillingError(error, 'INSUFFICIENT_FUNDS')) throw error;
        quote = { ...quote, balanceApplied: { ...quote.balanceApplied, amount: 0n }, amountDue: quote.total };
      }
    }

    const status = chargeTransferId ? 'paid' : 'awaiting_payment';
    if ((await insertOrder(tx, { id, accountId, idempotencyKey: key, requestHash: hash, status, quote, chargeTransferId, holdId })) === undefined) {
      // A concurrent checkout with this key committed first; its charge was the one our call replayed.
      return replay((await findOrder(tx, { accountId, idempotencyKey: key }))!);
    }
    if (status === 'paid') {
      await createServices(tx, id, accountId);
      await deps.events.emit(tx, 'order.paid', accountId, {
        orderId: id.toString(), externalRef: account.externalRef, total: toJSON(quote.total), idempotencyKey: key, paidWith,
      });
    }
    return respond(withoutHash((await findOrder(tx, { id }))!));
  });
}
