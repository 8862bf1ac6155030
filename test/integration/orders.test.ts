import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsSince } from '../../core/events/event-log.js';
import { money } from '@saldo/sdk';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { codeOf, eur } from '../support/ledger-fixtures.js';
import { loadConfig } from '../../config/load.js';
import { testSaldo } from '../support/saldo.js';
import { payOnHostedPage, startCard } from '../support/sandbox-card.js';

const customer = (paymentMode = 'prepaid', over: Record<string, unknown> = {}) => ({
  externalRef: `panel-${randomUUID()}`, name: 'Client', email: 'client@example.com', country: 'FR', locale: 'fr' as const, paymentMode, ...over,
});

onEachDatabase((_sql, target, database) => {
  describe('catalogue, quote and checkout', () => {
    let saldo: Saldo;
    beforeAll(async () => {
      // The provider's default plugins, and cards through the sandbox.
      saldo = await testSaldo(database(), { plugins: [...loadConfig({ env: {} }).plugins, { module: './plugins/gateways/card', options: { processor: 'sandbox' } }] });
      await saldo.catalogue.upsert({
        code: 'vps-s', names: { en: 'VPS S', fr: 'VPS S (France)', es: 'VPS S (España)' }, currency: 'EUR',
        prices: { monthly: eur(1_000n), annual: eur(12_000n) }, balanceDiscountPercent: '10',
      });
      await saldo.catalogue.upsert({ code: 'domain-fr', names: { en: '.fr domain' }, currency: 'EUR', prices: { annual: eur(999n) } });
    });

    const topUp = async (accountId: bigint, amount: bigint) => saldo.wallets.topUp(accountId, eur(amount), { idempotencyKey: randomUUID() });

    describe('catalogue', () => {
      it('keeps names per language, a price per cycle, and exact percentages', async () => {
        const product = await saldo.catalogue.get('vps-s');
        expect(product).toMatchObject({ currency: 'EUR', taxCategory: 'standard', balanceDiscountPercent: '10', prices: { monthly: eur(1_000n), annual: eur(12_000n) } });
        expect(product.names.fr).toBe('VPS S (France)');
      });
      it('refuses a balance discount over 25%, a price in another currency, and no price at all', async () => {
        const base = { code: 'x', names: { en: 'X' }, currency: 'EUR', prices: { monthly: eur(100n) } };
        expect(await codeOf(saldo.catalogue.upsert({ ...base, balanceDiscountPercent: '25.01' }))).toBe('VALIDATION_FAILED');
        expect(await codeOf(saldo.catalogue.upsert({ ...base, balanceDiscountPercent: '30' }))).toBe('VALIDATION_FAILED');
        expect(await codeOf(saldo.catalogue.upsert({ ...base, prices: { monthly: money(100n, 'USD') } }))).toBe('CURRENCY_MISMATCH');
        expect(await codeOf(saldo.catalogue.upsert({ ...base, prices: {} }))).toBe('VALIDATION_FAILED');
        expect(await codeOf(saldo.catalogue.get('x'))).toBe('PRODUCT_NOT_FOUND');
      });
    });

    describe('quote', () => {
      it('prices a prepaid order the balance covers, with the balance discount and reasons in French', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 20_000n);
        const quote = await saldo.orders.quote(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] });
        // 120.00 − 3% (3.60) − 10% of 116.40 (11.64) = 104.76
        expect(quote).toMatchObject({ covered: true, paidFromBalance: true, total: eur(10_476n), balanceApplied: eur(10_476n), amountDue: eur(0n) });
        expect(quote.lines[0]!.name).toBe('VPS S (France)');
        expect(quote.lines[0]!.adjustments.map((a) => a.text)).toEqual([
          '3 % de remise pour une facturation annuelle',
          '10 % de remise pour un paiement par votre solde',
        ]);
        const es = await saldo.orders.quote(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'es');
        expect(es.lines[0]!.adjustments[1]!.text).toBe('10 % de descuento por pagar con su saldo');
      });

      it('drops the balance discount when the balance covers only part, and says what is due', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 5_000n);
        const quote = await saldo.orders.quote(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] });
        // 120.00 − 3% = 116.40; 50.00 from the balance, 66.40 due
        expect(quote).toMatchObject({ covered: false, paidFromBalance: false, total: eur(11_640n), balanceApplied: eur(5_000n), amountDue: eur(6_640n) });
      });

      it('takes nothing from the balance when "use my balance" is off', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 50_000n);
        const quote = await saldo.orders.quote(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }], useBalance: false });
        expect(quote).toMatchObject({ covered: false, paidFromBalance: false, total: eur(11_640n), balanceApplied: eur(0n), amountDue: eur(11_640n) });
      });

      it('counts a postpaid account’s credit limit, and refuses beyond it', async () => {
        const account = await saldo.accounts.create(customer('postpaid', { creditLimit: eur(12_000n) }));
        const within = await saldo.orders.quote(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] });
        expect(within).toMatchObject({ covered: true, total: eur(11_640n) });
        const beyond = await saldo.orders.quote(account.id, { items: [{ product: 'vps-s', cycle: 'annual', quantity: 2 }] });
        expect(beyond).toMatchObject({ covered: false, total: eur(23_280n), balanceApplied: eur(12_000n), amountDue: eur(11_280n) });
      });

      it('gives the balance discount only to an order that money already on the balance pays whole, never one on credit', async () => {
        const annual = { items: [{ product: 'vps-s', cycle: 'annual' as const }] };
        const reasons = (q: { lines: { adjustments: { code: string }[] }[] }) => q.lines[0]!.adjustments.map((a) => a.code);
        const prepaid = await saldo.accounts.create(customer('prepaid'));
        await topUp(prepaid.id, 20_000n);
        const onCredit = await saldo.accounts.create(customer('postpaid', { creditLimit: eur(20_000n) }));
        const withBalance = await saldo.accounts.create(customer('postpaid', { creditLimit: eur(20_000n) }));
        await topUp(withBalance.id, 20_000n);
        const partly = await saldo.accounts.create(customer('postpaid', { creditLimit: eur(20_000n) }));
        await topUp(partly.id, 5_000n);
        const quotes = await Promise.all([prepaid, onCredit, withBalance, partly].map((a) => saldo.orders.quote(a.id, annual)));
        expect(quotes.map((q) => [q.total.amount, q.covered, reasons(q)])).toEqual([
          [10_476n, true, ['billing-cycle', 'balance-payment']], // prepaid, from its balance
          [11_640n, true, ['billing-cycle']], // postpaid, wholly on credit
          [10_476n, true, ['billing-cycle', 'balance-payment']], // postpaid, from money paid in advance
          [11_640n, true, ['billing-cycle']], // postpaid, partly on credit
        ]);
        const charged = await saldo.orders.checkout(onCredit.id, annual, 'on-credit');
        expect(charged.order).toMatchObject({ status: 'paid', total: eur(11_640n) });
      });

      it('refuses unknown products, unpriced cycles and empty orders', async () => {
        const account = await saldo.accounts.create(customer());
        expect(await codeOf(saldo.orders.quote(account.id, { items: [{ product: 'nope', cycle: 'monthly' }] }))).toBe('PRODUCT_NOT_FOUND');
        expect(await codeOf(saldo.orders.quote(account.id, { items: [{ product: 'domain-fr', cycle: 'monthly' }] }))).toBe('PRODUCT_CYCLE_UNAVAILABLE');
        expect(await codeOf(saldo.orders.quote(account.id, { items: [] }))).toBe('ORDER_EMPTY');
        expect(await codeOf(saldo.orders.quote(account.id, { items: [{ product: 'vps-s', cycle: 'monthly', quantity: 0 }] }))).toBe('VALIDATION_FAILED');
      });
    });

    describe('checkout', () => {
      it('charges a covered order at once, answers paid, opens its services and tells the panel', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 20_000n);
        const result = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }, { product: 'domain-fr', cycle: 'annual' }] }, 'cart-1');
        expect(result).toMatchObject({ status: 'paid', amountDue: eur(0n), paymentUrl: null });
        // 3% is taken once on the order: 3% of 129.99 = 3.8997 → 3.89, allocated 3.59 to the VPS and
        // 0.30 to the domain (largest remainder); then 10% of the VPS's 116.41 from balance = 11.64.
        expect(result.order.lines.map((l) => [l.discount.amount, l.total.amount])).toEqual([[359n + 1_164n, 10_477n], [30n, 969n]]);
        expect(result.order.total).toEqual(eur(11_446n));
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(20_000n - result.order.total.amount));

        const services = await database().sql<{ product_code: string; cycle: string; months: number }[]>`
          SELECT product_code, cycle, (extract(year from age(next_due_at, started_at)) * 12 + extract(month from age(next_due_at, started_at)))::int AS months
            FROM services WHERE order_id = ${result.order.id} ORDER BY line_no`;
        expect(services).toEqual([{ product_code: 'vps-s', cycle: 'annual', months: 12 }, { product_code: 'domain-fr', cycle: 'annual', months: 12 }]);
        const events = (await eventsSince(database().sql)).filter((e) => e.accountId === account.id);
        expect(events.map((e) => [e.type, e.payload.orderId])).toEqual([['order.paid', result.order.id.toString()]]);
      });

      it('tells the panel once when a checkout takes usable credit below the low-balance threshold', async () => {
        const account = await saldo.accounts.create(customer('prepaid', { lowBalanceThreshold: eur(1_500n) }));
        await topUp(account.id, 3_000n);
        const monthly = { items: [{ product: 'vps-s', cycle: 'monthly' as const }] }; // 9.00 from balance
        await saldo.orders.checkout(account.id, monthly, 'a'); // 30.00 → 21.00: above 15.00
        await saldo.orders.checkout(account.id, monthly, 'b'); // 21.00 → 12.00: crosses
        await saldo.orders.checkout(account.id, monthly, 'c'); // 12.00 → 3.00: already below
        const events = await database().sql<{ type: string; payload: { usableCredit: { amount: string } } }[]>`
          SELECT type, payload FROM events WHERE account_id = ${account.id} ORDER BY seq`;
        // The alert is sent by the charge itself, in the checkout's transaction, just before its order.paid.
        expect(events.map((e) => e.type)).toEqual(['order.paid', 'balance.low', 'order.paid', 'order.paid']);
        expect(events[1]!.payload.usableCredit.amount).toBe('12.00');
      });

      it('charges nothing for an order the balance does not cover: holds what it can, the rest is due', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 5_000n);
        const result = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'cart-2');
        expect(result).toMatchObject({ status: 'awaiting_payment', amountDue: eur(6_640n), paymentUrl: `/billing/pay/${result.order.id}` });
        expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(5_000n), held: eur(5_000n), usableCredit: eur(0n) });
        expect(await database().sql`SELECT 1 FROM services WHERE order_id = ${result.order.id}`).toHaveLength(0);
        const events = (await eventsSince(database().sql)).filter((e) => e.accountId === account.id);
        expect(events).toEqual([]);
      });

      it('posts the held part when the gateway part succeeds: the order is paid once, services open, the panel told how', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 5_000n);
        const { order } = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'split');
        expect(order).toMatchObject({ status: 'awaiting_payment', balanceApplied: eur(5_000n), amountDue: eur(6_640n) });

        const started = await startCard(saldo, account.id, { purpose: 'order', orderId: order.id }, 'pay-1');
        expect(started).toMatchObject({ status: 'requires_action', amount: eur(6_640n) });
        await payOnHostedPage(saldo, started, { number: '4242424242424242' });
        const payment = await saldo.payments.refresh(account.id, started.id);
        expect(payment).toMatchObject({ status: 'succeeded', amount: eur(6_640n) });
        expect((await saldo.orders.get(account.id, order.id)).status).toBe('paid');
        expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(0n), held: eur(0n) });
        const history = (await saldo.wallets.history(account.id)).map((e) => [e.kind, e.amount.amount]);
        expect(history.slice(0, 3)).toEqual([['charge', -6_640n], ['capture', -5_000n], ['top_up', 6_640n]]);

        // The same payment asked for again is the same payment: nothing moves twice.
        expect((await startCard(saldo, account.id, { purpose: 'order', orderId: order.id }, 'pay-1')).id).toBe(payment.id);
        expect((await saldo.payments.refresh(account.id, payment.id)).status).toBe('succeeded');
        expect((await saldo.wallets.history(account.id)).length).toBe(history.length);
        expect(await database().sql`SELECT 1 FROM services WHERE order_id = ${order.id}`).toHaveLength(1);
        const events = (await eventsSince(database().sql)).filter((e) => e.accountId === account.id);
        expect(events.map((e) => e.type)).toEqual(['payment.succeeded', 'order.paid']);
        expect(events[1]!.payload).toMatchObject({ orderId: order.id.toString(), paidWith: 'mixed' });
      });

      it('takes the balance part anyway when the hold lapsed before the gateway part succeeded', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 5_000n);
        const { order } = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'slow-payer');
        // The customer took longer than the hold's life: expire it as the sweep would.
        await database().sql.begin(async (tx) => {
          await tx`UPDATE ledger_holds SET status = 'expired', settled_at = now() WHERE id = ${order.holdId!}`;
          await tx`UPDATE ledger_accounts SET held_minor = held_minor - 5000 WHERE id = ${account.walletId}`;
        });
        const payment = await startCard(saldo, account.id, { purpose: 'order', orderId: order.id });
        await payOnHostedPage(saldo, payment, { number: '5555555555554444' });
        await saldo.payments.refresh(account.id, payment.id);
        expect((await saldo.orders.get(account.id, order.id)).status).toBe('paid');
        expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(0n), held: eur(0n) });
      });

      it('keeps an order waiting after a declined card; cancelled, its hold is released and money collected later stays on the balance', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 5_000n);
        const { order } = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'split-fail');
        const declined = await startCard(saldo, account.id, { purpose: 'order', orderId: order.id });
        await payOnHostedPage(saldo, declined, { number: '4000 0000 0000 0002' });
        expect(await saldo.payments.refresh(account.id, declined.id)).toMatchObject({ status: 'declined', reason: 'card_declined' });
        expect((await saldo.orders.get(account.id, order.id)).status).toBe('awaiting_payment');

        const late = await startCard(saldo, account.id, { purpose: 'order', orderId: order.id });
        expect((await saldo.orders.cancel(account.id, order.id)).status).toBe('cancelled');
        expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(5_000n), held: eur(0n), usableCredit: eur(5_000n) });
        // The customer still pays on the page that was open: the money is the customer's, on the balance, once.
        await payOnHostedPage(saldo, late, { number: '4242 4242 4242 4242' });
        expect((await saldo.payments.refresh(account.id, late.id)).status).toBe('succeeded');
        expect((await saldo.payments.refresh(account.id, late.id)).status).toBe('succeeded');
        expect((await saldo.orders.get(account.id, order.id)).status).toBe('cancelled');
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(5_000n + 6_640n));
      });

      it('charges a postpaid order against the credit limit, and holds what is left of it when the order goes beyond', async () => {
        const account = await saldo.accounts.create(customer('postpaid', { creditLimit: eur(12_000n) }));
        const within = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'pp-1');
        expect(within).toMatchObject({ status: 'paid', amountDue: eur(0n) });
        expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(-11_640n), usableCredit: eur(360n) });
        const beyond = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'pp-2');
        expect(beyond).toMatchObject({ status: 'awaiting_payment', amountDue: eur(1_000n - 360n) });
        expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(-11_640n), held: eur(360n), usableCredit: eur(0n) });
      });

      it('holds nothing when "use my balance" is off', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 50_000n);
        const result = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }], useBalance: false }, 'cart-3');
        expect(result).toMatchObject({ status: 'awaiting_payment', amountDue: eur(1_000n) });
        expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(50_000n), held: eur(0n) });
      });

      it('replays a checkout with the same key as the same order and one charge; other items are a conflict', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 20_000n);
        const request = { items: [{ product: 'vps-s', cycle: 'monthly' as const, quantity: 2 }] };
        const first = await saldo.orders.checkout(account.id, request, 'cart-4');
        const again = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly', quantity: 2 }] }, 'cart-4');
        expect(again).toEqual(first);
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(20_000n - first.order.total.amount));
        await expect(saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly', quantity: 3 }] }, 'cart-4'))
          .rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', params: { key: 'cart-4' } });
        const [orders] = await database().sql<{ n: bigint }[]>`SELECT count(*) AS n FROM orders WHERE account_id = ${account.id}`;
        expect(orders!.n).toBe(1n);
      });

      it('answers ten simultaneous checkouts with one key as one order and one charge', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 1_800n);
        const request = { items: [{ product: 'vps-s', cycle: 'monthly' as const }] };
        const results = await Promise.all(Array.from({ length: 10 }, () => saldo.orders.checkout(account.id, request, 'cart-5')));
        expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
        expect(results.every((r) => r.status === 'paid')).toBe(true);
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(900n));
      });

      it('never overdraws a prepaid account under 50 concurrent checkouts', async () => {
        const account = await saldo.accounts.create(customer());
        await topUp(account.id, 9_500n);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, `rush-${i}`)),
        );
        const paid = results.filter((r) => r.status === 'paid').length;
        const state = await saldo.accounts.balance(account.id);
        report(`50 concurrent checkouts on ${target}`, { attempts: 50, paid, awaiting: 50 - paid, balance: state.balance.amount, held: state.held.amount });
        // each paid order costs 9.00 (10.00 − 10% from balance): ⌊95.00 / 9.00⌋ = 10
        expect(paid).toBe(10);
        expect(state.balance).toEqual(eur(9_500n - 10n * 900n));
        expect(state.balance.amount - state.held.amount).toBeGreaterThanOrEqual(0n);
      });
    });
  });
});
