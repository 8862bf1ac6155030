import type { SaldoConfig } from '../../config/schema.js';
import type { WalletService } from '../accounts/wallet.service.js';
import type { Pool, Sql } from '../db/connect.js';
import { BillingError, isBillingError } from '../errors.js';
import type { EventLog } from '../events/event-log.js';
import { type Money, toJSON } from '@saldo/sdk';
import type { PluginRegistry } from '../plugin-host/registry.js';
import type { BillingCycle } from '@saldo/sdk';
import { type Catalogue, cycleMonths, type Product, soldItem } from './catalogue.js';
import { priceLines } from './pricing.js';
import { renewalBlock, type RenewalBlock, renewalChoiceAllowed } from './renewal-choice.js';

export interface Service {
  id: bigint;
  accountId: bigint;
  productCode: string;
  cycle: BillingCycle;
  quantity: number;
  status: 'active' | 'cancelled';
  /** Whether it renews by itself when due: the customer's choice, or the provider's default (see `renewalBlock`). */
  autoRenew: boolean;
  nextDueAt: Date;
}

type Policy = SaldoConfig['billing']['balanceRenewals'];

export type RenewalOutcome =
  | { status: 'renewed'; period: Date; amount: Money; nextDueAt: Date }
  | { status: 'already_renewed'; period: Date; nextDueAt: Date }
  | { status: 'awaiting_payment'; period: Date; amount: Money; reason: 'insufficient_funds' | RenewalBlock }
  | { status: 'suspend_requested'; period: Date }
  | { status: 'skipped'; reason: 'cancelled' | 'not_due' | 'waiting_for_payment' };

export interface RenewalDeps {
  sql: Pool;
  config: SaldoConfig;
  plugins: PluginRegistry;
  catalogue: Catalogue;
  wallets: WalletService;
  events: EventLog;
}

interface ServiceRow {
  id: bigint; account_id: bigint; product_code: string; cycle: BillingCycle; quantity: number;
  status: 'active' | 'cancelled'; auto_renew: boolean | null; next_due_at: Date;
  /** The account has a credit limit (postpaid): a renewal goes on its credit. */
  on_credit: boolean;
}
const toService = (r: ServiceRow, policy: Policy): Service => ({
  id: r.id, accountId: r.account_id, productCode: r.product_code, cycle: r.cycle, quantity: r.quantity,
  status: r.status, autoRenew: !renewalBlock(policy, r.on_credit, r.auto_renew), nextDueAt: r.next_due_at,
});

/** Every service column, and whether its account renews on credit: read with the row, in its statement. */
const serviceColumns = (sql: Sql) => sql`services.*, (SELECT w.min_balance_minor < 0 FROM billing_accounts a
  JOIN ledger_accounts w ON w.id = a.wallet_id WHERE a.id = services.account_id) AS on_credit`;

/** Locks the service for the rest of the transaction: renewal, payment and cancellation queue here. */
async function lockService(sql: Sql, serviceId: bigint): Promise<ServiceRow | undefined> {
  const [row] = await sql<ServiceRow[]>`SELECT ${serviceColumns(sql)} FROM services WHERE id = ${serviceId} FOR UPDATE OF services`;
  return row;
}

/**
 * The renewal price: today's catalogue price for the cycle, with the balance-only discounts when
 * the money already on the balance pays it whole (never on a postpaid credit limit); and the
 * product's names today, which the renewal's posting keeps.
 */
async function renewalPrice(sql: Sql, deps: RenewalDeps, service: Service): Promise<{ amount: Money; names: Product['names'] }> {
  const [product] = await deps.catalogue.find(sql, [service.productCode]);
  const unitPrice = product?.prices[service.cycle];
  if (!product || !unitPrice) throw new BillingError('PRODUCT_CYCLE_UNAVAILABLE', { product: service.productCode, cycle: service.cycle });
  const price = (paidFromBalance: boolean) => priceLines(
    [{ productCode: product.code, cycle: service.cycle, quantity: service.quantity, unitPrice, balanceDiscountPercent: product.balanceDiscountPercent }],
    deps.plugins.discounts, { paidFromBalance }, deps.config.billing.discountCapPercent,
  )[0]!.total;
  // Locked until the caller's transaction ends: no other charge takes the money the discount was
  // granted on before the renewal's own charge.
  const [wallet] = await sql<{ own: bigint }[]>`
    SELECT w.balance_minor - w.held_minor AS own FROM services s JOIN billing_accounts a ON a.id = s.account_id
      JOIN ledger_accounts w ON w.id = a.wallet_id WHERE s.id = ${service.id} FOR UPDATE OF w`;
  const discounted = price(true);
  return { amount: wallet && wallet.own >= discounted.amount ? discounted : price(false), names: product.names };
}

/**
 * Takes one period's price from the balance and moves the due date by one cycle. The ledger key
 * names the service and the period, so the job and a customer's payment of the same period can
 * never both charge. Runs inside the caller's transaction, with the service locked.
 */
async function renewFromBalance(tx: Sql, deps: RenewalDeps, service: Service, { amount, names }: { amount: Money; names: Product['names'] }): Promise<RenewalOutcome> {
  const period = service.nextDueAt;
  // The period's end as the UPDATE below computes it (months added in the database's time zone).
  const [ends] = await tx<{ end: Date }[]>`SELECT ${period}::timestamptz + make_interval(months => ${cycleMonths[service.cycle]}) AS end`;
  const transfer = await deps.wallets.charge(service.accountId, amount, {
    idempotencyKey: `renewal:${service.id}:${period.toISOString()}`,
    description: `${service.productCode} (${service.cycle})`,
    described: { kind: 'renewal', service: service.id.toString(), item: soldItem(names, service), period: { start: period.toISOString(), end: ends!.end.toISOString() } },
    metadata: { service: service.id.toString(), period: period.toISOString() },
  }, tx);
  const [moved] = await tx<{ next_due_at: Date; period_end: Date }[]>`
    UPDATE services SET next_due_at = next_due_at + make_interval(months => ${cycleMonths[service.cycle]})
     WHERE id = ${service.id} RETURNING next_due_at, next_due_at AS period_end`;
  await tx`
    INSERT INTO service_renewals (service_id, period_start, period_end, status, amount_minor, currency, transfer_id, renewed_at)
    VALUES (${service.id}, ${period}, ${moved!.period_end}, 'renewed', ${amount.amount}, ${amount.currency}, ${transfer.id}, now())
    ON CONFLICT (service_id, period_start) DO UPDATE SET status = 'renewed', transfer_id = excluded.transfer_id, renewed_at = now()`;
  await deps.events.emit(tx, 'service.renewed', service.accountId, {
    serviceId: service.id.toString(), period: period.toISOString(), nextDueAt: moved!.next_due_at.toISOString(), amount: toJSON(amount),
  });
  return { status: 'renewed', period, amount, nextDueAt: moved!.next_due_at };
}

/**
 * The renewal job's work for one service that may be due. Renews from the balance when the
 * provider allows balance renewals, the service renews automatically and the usable credit
 * covers it; otherwise records that the period waits for payment and tells the panel — once per
 * period, however often the job runs or however many workers run it.
 */
export async function renewIfDue(deps: RenewalDeps, serviceId: bigint, now: Date): Promise<RenewalOutcome> {
  return deps.sql.begin(async (tx) => {
    const row = await lockService(tx, serviceId);
    const service = row && toService(row, deps.config.billing.balanceRenewals);
    if (!row || !service || service.status === 'cancelled') return { status: 'skipped', reason: 'cancelled' } as const;
    if (service.nextDueAt > now) return { status: 'skipped', reason: 'not_due' } as const;
    const [waiting] = await tx<{ suspend_requested_at: Date | null }[]>`
      SELECT suspend_requested_at FROM service_renewals WHERE service_id = ${service.id} AND period_start = ${service.nextDueAt}`;

    const price = await renewalPrice(tx, deps, service);
    const { amount } = price;
    const blocked = renewalBlock(deps.config.billing.balanceRenewals, row.on_credit, row.auto_renew);
    if (!blocked) {
      try {
        // A period already waiting is tried again on each run: a top-up since then renews it.
        return await renewFromBalance(tx, deps, service, price);
      } catch (error) {
        if (!isBillingError(error, 'INSUFFICIENT_FUNDS')) throw error;
      }
    }
    // The panel was told when the period first failed; it is not told again on every run, only
    // once more, to suspend the service, when the period is still unpaid after the grace days.
    if (waiting) {
      const graceOver = now.getTime() - service.nextDueAt.getTime() >= deps.config.billing.suspendAfterDays * 86_400_000;
      if (!graceOver || waiting.suspend_requested_at) return { status: 'skipped', reason: 'waiting_for_payment' } as const;
      await tx`UPDATE service_renewals SET suspend_requested_at = now() WHERE service_id = ${service.id} AND period_start = ${service.nextDueAt}`;
      await deps.events.emit(tx, 'service.suspend_requested', service.accountId, {
        serviceId: service.id.toString(), period: service.nextDueAt.toISOString(), amount: toJSON(amount),
      });
      return { status: 'suspend_requested', period: service.nextDueAt } as const;
    }
    const reason = blocked ?? 'insufficient_funds';
    await tx`
      INSERT INTO service_renewals (service_id, period_start, period_end, status, amount_minor, currency)
      VALUES (${service.id}, ${service.nextDueAt}, ${service.nextDueAt} + make_interval(months => ${cycleMonths[service.cycle]}),
              'awaiting_payment', ${amount.amount}, ${amount.currency})`;
    await deps.events.emit(tx, 'service.renewal_failed', service.accountId, {
      serviceId: service.id.toString(), period: service.nextDueAt.toISOString(), amount: toJSON(amount), reason,
    });
    return { status: 'awaiting_payment', period: service.nextDueAt, amount, reason } as const;
  });
}

/** Services due at `now`, renewed one by one, each in its own transaction. */
export async function renewDue(deps: RenewalDeps, now: Date = new Date()): Promise<RenewalOutcome[]> {
  const due = await deps.sql<{ id: bigint }[]>`
    SELECT id FROM services WHERE status = 'active' AND next_due_at <= ${now} ORDER BY next_due_at, id LIMIT 1000`;
  const outcomes: RenewalOutcome[] = [];
  for (const { id } of due) outcomes.push(await renewIfDue(deps, id, now));
  return outcomes;
}

/**
 * The customer pays the period they were shown (`period`, the due date) from their balance. If
 * that period is already renewed, nothing is charged: the answer says so.
 */
export function payRenewal(deps: RenewalDeps, accountId: bigint, serviceId: bigint, period: Date): Promise<RenewalOutcome> {
  return deps.sql.begin((tx) => payRenewalIn(tx, deps, accountId, serviceId, period));
}

/** `payRenewal` inside the caller's transaction (a gateway payment's booking). */
export async function payRenewalIn(tx: Sql, deps: RenewalDeps, accountId: bigint, serviceId: bigint, period: Date, amount?: Money): Promise<RenewalOutcome> {
  const row = await lockService(tx, serviceId);
  if (!row || row.account_id !== accountId) throw new BillingError('SERVICE_NOT_FOUND');
  const service = toService(row, deps.config.billing.balanceRenewals);
  if (service.status === 'cancelled') throw new BillingError('SERVICE_CANCELLED');
  if (service.nextDueAt.getTime() !== period.getTime()) {
    return { status: 'already_renewed', period, nextDueAt: service.nextDueAt } as const;
  }
  // A gateway payment made for the period pays the amount it was asked for, not today's price.
  const price = await renewalPrice(tx, deps, service);
  return renewFromBalance(tx, deps, service, amount ? { ...price, amount } : price);
}

/** What an account owes and waits to pay, oldest first: orders awaiting payment, and renewal periods due. */
export async function amountsDue(sql: Sql, accountId: bigint, policy: Policy): Promise<AmountDue[]> {
  const rows = await sql<(Omit<AmountDue, 'autoRenew'> & { choice: boolean | null; on_credit: boolean | null })[]>`
    SELECT 'order' AS kind, o.id, NULL::timestamptz AS period, o.amount_due_minor AS amount, o.created_at AS since, NULL::boolean AS choice, NULL::boolean AS on_credit
      FROM orders o WHERE o.account_id = ${accountId} AND o.status = 'awaiting_payment'
    UNION ALL
    SELECT 'renewal', r.service_id, r.period_start, r.amount_minor, r.created_at, s.auto_renew,
           (SELECT w.min_balance_minor < 0 FROM billing_accounts a JOIN ledger_accounts w ON w.id = a.wallet_id WHERE a.id = s.account_id)
      FROM service_renewals r JOIN services s ON s.id = r.service_id
     WHERE s.account_id = ${accountId} AND s.status = 'active' AND r.status = 'awaiting_payment'
       -- A period is named from JavaScript, to the millisecond; the column may hold microseconds.
       AND r.period_start = date_trunc('milliseconds', s.next_due_at)
     ORDER BY since, id`;
  return rows.map(({ choice, on_credit, ...due }) => ({ ...due, autoRenew: due.kind === 'order' ? null : !renewalBlock(policy, !!on_credit, choice) }));
}

export interface AmountDue {
  kind: 'order' | 'renewal';
  /** The order's id, or the service's. */
  id: bigint;
  /** For a renewal: the period's start (its due date). */
  period: Date | null;
  amount: bigint;
  since: Date;
  /** For a renewal: whether it renews from the balance by itself (the customer's choice, or the provider's default and rule). */
  autoRenew: boolean | null;
}

/** Stops renewals. A period already renewed stays paid; cancelling twice changes nothing. */
export async function cancelService(sql: Pool, policy: Policy, accountId: bigint, serviceId: bigint): Promise<Service> {
  return sql.begin(async (tx) => {
    const service = await lockService(tx, serviceId);
    if (!service || service.account_id !== accountId) throw new BillingError('SERVICE_NOT_FOUND');
    if (service.status === 'cancelled') return toService(service, policy);
    const [row] = await tx<ServiceRow[]>`
      UPDATE services SET status = 'cancelled', cancelled_at = now() WHERE id = ${serviceId} RETURNING ${serviceColumns(tx)}`;
    return toService(row!, policy);
  });
}

/**
 * The customer's choice to have a service renew by itself, or not. Switching it on is refused
 * where the provider forbids renewal from a prepaid balance; the renewal job holds to that
 * anyway (see `renewalBlock`), so an account converted meanwhile cannot slip through.
 */
export async function setAutoRenew(sql: Pool, policy: Policy, accountId: bigint, serviceId: bigint, on: boolean): Promise<Service> {
  const [service] = await sql<ServiceRow[]>`SELECT ${serviceColumns(sql)} FROM services WHERE id = ${serviceId} AND account_id = ${accountId}`;
  if (!service) throw new BillingError('SERVICE_NOT_FOUND');
  if (on && !renewalChoiceAllowed(policy, service.on_credit)) throw new BillingError('BALANCE_RENEWALS_FORBIDDEN');
  const [row] = await sql<ServiceRow[]>`UPDATE services SET auto_renew = ${on} WHERE id = ${serviceId} RETURNING ${serviceColumns(sql)}`;
  return toService(row!, policy);
}

export async function servicesOf(sql: Sql, policy: Policy, accountId: bigint): Promise<Service[]> {
  const rows = await sql<ServiceRow[]>`SELECT ${serviceColumns(sql)} FROM services WHERE account_id = ${accountId} ORDER BY id`;
  return rows.map((r) => toService(r, policy));
}
