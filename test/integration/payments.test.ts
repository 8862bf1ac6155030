import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsSince } from '../../core/events/event-log.js';
import { insertPayment, type Payment } from '../../core/payments/payment.repo.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { testPlugins, testSaldo } from '../support/saldo.js';
import { ORIGIN, payOnHostedPage, sandboxNotification, startCard } from '../support/sandbox-card.js';

onEachDatabase((_sql, target, database) => {
  describe('the payment spine', () => {
    let saldo: Saldo;
    beforeAll(async () => {
      saldo = await testSaldo(database());
      await saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S' }, currency: 'EUR', prices: { monthly: eur(1_000n), annual: eur(12_000n) } });
    });

    const newAccount = () => saldo.accounts.create({ externalRef: `pay-${randomUUID()}`, name: 'Payer', email: 'p@example.com', country: 'FR', locale: 'fr' });
    const transfersOf = async (p: Payment) => (await database().sql`SELECT 1 FROM ledger_transfers WHERE idempotency_key = ${`a${p.accountId}:payment:${p.id}`}`).length;
    const typesOf = async (accountId: bigint) => (await eventsSince(database().sql, 0n, 10_000)).filter((e) => e.accountId === accountId).map((e) => e.type);
    const notification = (p: Payment, status: 'succeeded' | 'declined', options: { secret?: string; at?: number; eventId?: string } = {}) =>
      sandboxNotification(database().sql, p, status, options);
    const post = (n: { body: string; signature: string }) =>
      saldo.app.request('/gateways/card/webhook', { method: 'POST', body: n.body, headers: { 'content-type': 'application/json', 'sandbox-signature': n.signature } });

    it('tops up by card through the hosted page: booked once, the panel told', async () => {
      const account = await newAccount();
      const started = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(10_000n) });
      expect(started).toMatchObject({ status: 'requires_action', redirectUrl: expect.stringMatching(/^http:\/\/billing\.example\/billing\/gateways\/card\/sandbox\/checkout\/pi_sb_/) });
      expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(0n) });

      await payOnHostedPage(saldo, started, { number: '4242 4242 4242 4242' });
      const paid = await saldo.payments.refresh(account.id, started.id);
      expect(paid).toMatchObject({ status: 'succeeded', reference: expect.stringMatching(/^pi_sb_/), transferId: expect.any(BigInt) });
      expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(10_000n) });
      expect(await transfersOf(paid)).toBe(1);
      expect(await typesOf(account.id)).toEqual(['payment.succeeded', 'topup.completed']);
      const steps = await database().sql`SELECT from_status, to_status, applied, source FROM payment_transitions WHERE payment_id = ${paid.id} ORDER BY id`;
      expect(steps).toEqual([
        { from_status: 'created', to_status: 'requires_action', applied: true, source: 'start' },
        { from_status: 'requires_action', to_status: 'succeeded', applied: true, source: 'return' },
      ]);
    });

    it('takes the card through 3-D Secure, and declines when the customer refuses it', async () => {
      const account = await newAccount();
      const ok = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(5_000n) });
      await payOnHostedPage(saldo, ok, { number: '4000000000003220' }, 'complete');
      expect((await saldo.payments.refresh(account.id, ok.id)).status).toBe('succeeded');
      const refused = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(5_000n) });
      await payOnHostedPage(saldo, refused, { number: '4000000000003220' }, 'fail');
      expect(await saldo.payments.refresh(account.id, refused.id)).toMatchObject({ status: 'declined', reason: 'authentication_failed', transferId: null });
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(5_000n));
    });

    it('books nothing for a declined card or one without funds, and tells the panel', async () => {
      const account = await newAccount();
      for (const [number, reason] of [['4000000000000002', 'card_declined'], ['4000000000009995', 'insufficient_funds']] as const) {
        const p = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(2_000n) });
        await payOnHostedPage(saldo, p, { number });
        expect(await saldo.payments.refresh(account.id, p.id)).toMatchObject({ status: 'declined', reason });
      }
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(0n));
      expect(await typesOf(account.id)).toEqual(['payment.failed', 'payment.failed']);
    });

    it('refuses American Express on the payment page, in the customer’s language, and charges nothing', async () => {
      const account = await newAccount();
      for (const [locale, text] of [['en', 'American Express cards are not accepted. Please use Visa, Mastercard.'], ['fr', 'Les cartes American Express ne sont pas acceptées. Utilisez une carte Visa, Mastercard.'], ['es', 'No se aceptan tarjetas American Express. Utilice una tarjeta Visa, Mastercard.']] as const) {
        const p = await saldo.payments.start(account.id, { purpose: 'top_up', amount: eur(2_000n), gateway: 'card', idempotencyKey: randomUUID(), locale, origin: ORIGIN });
        const res = await payOnHostedPage(saldo, p, { number: '3782 822463 10005', cvc: '1234' });
        expect(res.status).toBe(422);
        expect(await res.text()).toContain(text);
        expect((await saldo.payments.refresh(account.id, p.id)).status).toBe('requires_action');
      }
    });

    it('takes a processor’s notification once: a forged or stale one is refused, five at once book once, a late "declined" changes nothing', async () => {
      const account = await newAccount();
      const p = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(3_000n) });
      await payOnHostedPage(saldo, p, { number: '5555555555554444' }); // the processor has it; Saldo has not been told

      const forged = await post(await notification(p, 'succeeded', { secret: 'a-guessed-secret-0123456789' }));
      const stale = await post(await notification(p, 'succeeded', { at: Math.floor(Date.now() / 1000) - 301 }));
      expect([forged.status, stale.status]).toEqual([400, 400]);
      expect((await forged.json()).error.code).toBe('WEBHOOK_REJECTED');
      expect(await database().sql`SELECT 1 FROM gateway_events WHERE payment_id = ${p.id}`).toHaveLength(0);
      expect((await saldo.payments.get(account.id, p.id)).status).toBe('requires_action');

      const once = await notification(p, 'succeeded');
      const answers = await Promise.all(Array.from({ length: 5 }, async () => (await post(once)).json() as Promise<{ duplicate: boolean }>));
      expect(answers.filter((a) => a.duplicate === false)).toHaveLength(1);
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(3_000n));
      expect(await transfersOf(p)).toBe(1);

      const late = await post(await notification(p, 'declined'));
      expect(late.status).toBe(200);
      expect((await saldo.payments.get(account.id, p.id)).status).toBe('succeeded');
      const ignored = await database().sql`SELECT from_status, to_status, applied FROM payment_transitions WHERE payment_id = ${p.id} AND NOT applied`;
      expect(ignored).toEqual([{ from_status: 'succeeded', to_status: 'declined', applied: false }]);
      report(`webhook replays on ${target}`, { sent: 5, applied: 1, credits: await transfersOf(p), lateDeclined: 'ignored' });
    });

    it('books a payment once however many reports of it arrive together (return, notification, reconciliation)', async () => {
      const account = await newAccount();
      const p = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(4_000n) });
      await payOnHostedPage(saldo, p, { number: '4242424242424242' });
      await database().sql`UPDATE payments SET called_at = now() - interval '1 hour' WHERE id = ${p.id}`;
      await Promise.all([saldo.payments.refresh(account.id, p.id), post(await notification(p, 'succeeded')), saldo.payments.reconcile(), saldo.payments.refresh(account.id, p.id)]);
      expect(await transfersOf(p)).toBe(1);
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(4_000n));
    });

    describe('after a crash (TESTS #5)', () => {
      it('cancels a payment whose gateway call never happened: the processor has no record of it', async () => {
        const account = await newAccount();
        // The intent was recorded, then the process died before calling the gateway.
        const { payment } = await insertPayment(database().sql, { accountId: account.id, idempotencyKey: randomUUID(), requestHash: 'h', gateway: 'card', purpose: 'top_up', amount: eur(1_500n) });
        expect((await saldo.payments.reconcile()).checked).toBe(0); // too recent: a live process may still be calling
        await database().sql`UPDATE payments SET called_at = now() - interval '1 hour' WHERE id = ${payment.id}`;
        await saldo.payments.reconcile();
        expect(await saldo.payments.get(account.id, payment.id)).toMatchObject({ status: 'canceled', transferId: null });
      });

      it('books a payment the processor collected while Saldo never heard back: once, by reconciliation', async () => {
        const account = await newAccount();
        const p = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(2_500n) });
        await payOnHostedPage(saldo, p, { number: '4242424242424242' }); // the customer paid; the return and the notification were lost
        await database().sql`UPDATE payments SET called_at = now() - interval '1 hour' WHERE id = ${p.id}`;
        await saldo.payments.reconcile();
        await database().sql`UPDATE payments SET checked_at = NULL WHERE id = ${p.id}`;
        await saldo.payments.reconcile();
        expect(await saldo.payments.get(account.id, p.id)).toMatchObject({ status: 'succeeded' });
        expect(await transfersOf(p)).toBe(1);
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(2_500n));
      });

      it('lists a payment whose answer was lost as unknown until reconciliation settles it', async () => {
        const account = await newAccount();
        const p = await saldo.payments.start(account.id, { purpose: 'top_up', amount: eur(1_099n), gateway: 'example-pay', idempotencyKey: randomUUID(), locale: 'en', origin: ORIGIN });
        expect(p).toMatchObject({ status: 'created', outcomeUnknown: true });
        expect((await saldo.payments.unknown()).map((u) => u.id)).toContain(p.id);
        await database().sql`UPDATE payments SET called_at = now() - interval '1 hour' WHERE id = ${p.id}`;
        await saldo.payments.reconcile();
        expect(await saldo.payments.get(account.id, p.id)).toMatchObject({ status: 'succeeded', outcomeUnknown: false });
        expect((await saldo.payments.unknown()).map((u) => u.id)).not.toContain(p.id);
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(1_099n));
      });
    });

    it('settles what the account owes oldest first with a top-up, and leaves the rest on the balance', async () => {
      const account = await newAccount();
      const older = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'older');
      const newer = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'newer');
      expect([older.status, newer.status]).toEqual(['awaiting_payment', 'awaiting_payment']);
      const topUp = await saldo.payments.start(account.id, { purpose: 'top_up', amount: eur(5_000n), gateway: 'example-pay', idempotencyKey: randomUUID(), locale: 'en', origin: ORIGIN });
      expect((await saldo.orders.get(account.id, older.order.id)).status).toBe('paid');
      expect((await saldo.orders.get(account.id, newer.order.id)).status).toBe('awaiting_payment');
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(4_000n));
      const paid = (await eventsSince(database().sql, 0n, 10_000)).find((e) => e.accountId === account.id && e.type === 'order.paid');
      // The processor's reference of the top-up that paid it, though it came in the gateway's first answer.
      expect(topUp.reference).toEqual(expect.any(String));
      expect(paid?.payload).toMatchObject({ orderId: older.order.id.toString(), paidWith: 'balance', reference: topUp.reference });
    });

    it('shows a payment only to its own account', async () => {
      const [a, b] = [await newAccount(), await newAccount()];
      const p = await startCard(saldo, a.id, { purpose: 'top_up', amount: eur(1_000n) });
      await expect(saldo.payments.get(b.id, p.id)).rejects.toMatchObject({ code: 'PAYMENT_NOT_FOUND', status: 404 });
      await expect(saldo.payments.refresh(b.id, p.id)).rejects.toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
      await expect(saldo.payments.get(b.id, 'not-a-uuid')).rejects.toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
    });

    describe('refunds', () => {
      async function paidByCard(amount: bigint) {
        const account = await newAccount();
        const p = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(amount) });
        await payOnHostedPage(saldo, p, { number: '4242424242424242' });
        return { account, payment: await saldo.payments.refresh(account.id, p.id) };
      }

      it('gives money back in parts, never more than was collected, and tells the panel', async () => {
        const { account, payment } = await paidByCard(10_000n);
        const part = await saldo.payments.refund(account.id, payment.id, { amount: eur(3_000n), reason: 'Goodwill', idempotencyKey: 'r1' });
        expect(part).toMatchObject({ status: 'succeeded', amount: eur(3_000n), reference: expect.stringMatching(/^re_sb_/) });
        expect(await saldo.payments.get(account.id, payment.id)).toMatchObject({ status: 'partially_refunded', refunded: eur(3_000n) });
        expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(7_000n), held: eur(0n) });
        expect((await saldo.payments.refund(account.id, payment.id, { amount: eur(3_000n), reason: 'Goodwill', idempotencyKey: 'r1' })).id).toBe(part.id);
        await expect(saldo.payments.refund(account.id, payment.id, { amount: eur(7_001n), reason: 'Too much', idempotencyKey: 'r2' }))
          .rejects.toMatchObject({ code: 'REFUND_EXCEEDS_PAYMENT', params: { available: eur(7_000n) } });
        const rest = await saldo.payments.refund(account.id, payment.id, { reason: 'Closing the account', idempotencyKey: 'r3' });
        expect(rest).toMatchObject({ status: 'succeeded', amount: eur(7_000n) });
        // "The rest" sent again with its key is the same refund, though nothing is left now.
        expect(await saldo.payments.refund(account.id, payment.id, { reason: 'Closing the account', idempotencyKey: 'r3' })).toEqual(rest);
        expect(await saldo.payments.get(account.id, payment.id)).toMatchObject({ status: 'refunded', refunded: eur(10_000n) });
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(0n));
        await expect(saldo.payments.refund(account.id, payment.id, { amount: eur(1n), reason: 'Again', idempotencyKey: 'r4' })).rejects.toMatchObject({ code: 'REFUND_NOT_POSSIBLE' });
        const refunded = (await eventsSince(database().sql, 0n, 10_000)).filter((e) => e.accountId === account.id && e.type === 'payment.refunded');
        expect(refunded.map((e) => [e.payload.whole, (e.payload.refunded as { amount: string }).amount])).toEqual([[false, '30.00'], [true, '70.00']]);
        const history = (await saldo.wallets.history(account.id)).map((e) => [e.kind, e.amount.amount]);
        expect(history.slice(0, 2)).toEqual([['payment_refund', -7_000n], ['payment_refund', -3_000n]]);
      });

      it('refuses to refund money the customer has already spent, and reserves nothing then', async () => {
        const { account, payment } = await paidByCard(5_000n);
        await saldo.wallets.charge(account.id, eur(4_500n), { idempotencyKey: 'spent' });
        await expect(saldo.payments.refund(account.id, payment.id, { amount: eur(1_000n), reason: 'x', idempotencyKey: 'r' })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
        expect(await saldo.payments.get(account.id, payment.id)).toMatchObject({ status: 'succeeded', refunded: eur(0n) });
        expect(await database().sql`SELECT 1 FROM payment_refunds WHERE payment_id = ${payment.id}`).toHaveLength(0);
      });

      it('lets only one of two refunds that together exceed the payment through', async () => {
        const { account, payment } = await paidByCard(10_000n);
        const results = await Promise.allSettled([6_000n, 6_000n].map((a, i) => saldo.payments.refund(account.id, payment.id, { amount: eur(a), reason: 'race', idempotencyKey: `race-${i}` })));
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(4_000n));
        expect((await saldo.payments.get(account.id, payment.id)).refunded).toEqual(eur(6_000n));
      });

      it('refuses a refund through a gateway that cannot make one', async () => {
        const account = await newAccount();
        const p = await saldo.payments.start(account.id, { purpose: 'top_up', amount: eur(1_000n), gateway: 'example-pay', idempotencyKey: randomUUID(), locale: 'en', origin: ORIGIN });
        await expect(saldo.payments.refund(account.id, p.id, { reason: 'x', idempotencyKey: 'r' })).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
      });
    });

    describe('what an independent review found', () => {
      let late: Saldo;
      const lateGateway = { module: './test/plugins/late-gateway.ts', options: {} };
      beforeAll(async () => {
        late = await testSaldo(database(), { plugins: [...testPlugins(), lateGateway] });
      });
      const old = (table: 'payments' | 'payment_refunds', column: 'called_at' | 'created_at', id: string, age: string) =>
        database().sql`UPDATE ${database().sql(table)} SET ${database().sql(column)} = now() - ${age}::interval WHERE id = ${id}`;

      it('gives up a payment the processor has no record of only once no call could still land, and books it if it lands after all', async () => {
        const account = await late.accounts.create({ externalRef: `late-${randomUUID()}`, name: 'L', email: 'l@example.com', country: 'FR' });
        const p = await late.payments.start(account.id, { purpose: 'top_up', amount: eur(5_000n), gateway: 'late-pay', idempotencyKey: randomUUID(), locale: 'en', origin: ORIGIN });
        expect(p).toMatchObject({ status: 'created', outcomeUnknown: true });
        await old('payments', 'called_at', p.id, '10 minutes');
        await late.payments.reconcile();
        expect((await late.payments.get(account.id, p.id)).status).toBe('created'); // not found yet, but a call could still arrive
        await old('payments', 'called_at', p.id, '2 hours');
        await database().sql`UPDATE payments SET checked_at = NULL WHERE id = ${p.id}`;
        await late.payments.reconcile();
        expect((await late.payments.get(account.id, p.id)).status).toBe('canceled');
        // The processor collected after all, and says so: the money is the customer's, booked once.
        const body = JSON.stringify({ id: `evt_${randomUUID()}`, paymentId: p.id, amount: '5000', currency: 'EUR' });
        for (let i = 0; i < 2; i++) await late.app.request('/gateways/late-pay/webhook', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        expect(await late.payments.get(account.id, p.id)).toMatchObject({ status: 'succeeded' });
        expect((await late.accounts.balance(account.id)).balance).toEqual(eur(5_000n));
        expect(await transfersOf(p)).toBe(1);
      });

      it('keeps a pending refund reserved until its gateway answers, and settles it by reconciliation', async () => {
        const account = await late.accounts.create({ externalRef: `late-${randomUUID()}`, name: 'L', email: 'l@example.com', country: 'FR' });
        const p = await late.payments.start(account.id, { purpose: 'top_up', amount: eur(10_000n), gateway: 'late-pay', idempotencyKey: randomUUID(), locale: 'en', origin: ORIGIN });
        const { collect, refundDone } = await import('../plugins/late-gateway.js');
        collect(p.id, eur(10_000n));
        await old('payments', 'called_at', p.id, '5 minutes');
        await late.payments.reconcile();
        const refund = await late.payments.refund(account.id, p.id, { reason: 'Goodwill', idempotencyKey: 'pending-1' });
        expect(refund.status).toBe('pending');
        const [hold] = await database().sql<{ expires_at: Date }[]>`SELECT h.expires_at FROM ledger_holds h JOIN payment_refunds r ON r.hold_id = h.id WHERE r.id = ${refund.id}`;
        expect(hold!.expires_at.getUTCFullYear()).toBeGreaterThan(2100); // does not lapse: the money stays reserved
        await expect(late.wallets.charge(account.id, eur(1n), { idempotencyKey: 'spend' })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
        expect((await late.payments.pendingRefunds()).map((r) => r.id)).toContain(refund.id);
        refundDone(refund.id);
        await old('payment_refunds', 'created_at', refund.id, '5 minutes');
        await late.payments.reconcile();
        expect((await late.payments.pendingRefunds()).map((r) => r.id)).not.toContain(refund.id);
        expect(await late.payments.get(account.id, p.id)).toMatchObject({ status: 'refunded' });
        expect(await late.accounts.balance(account.id)).toMatchObject({ balance: eur(0n), held: eur(0n) });
      });

      it('answers the same refund to two requests with one key at once', async () => {
        const account = await newAccount();
        const c = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(5_000n) });
        await payOnHostedPage(saldo, c, { number: '4242424242424242' });
        await saldo.payments.refresh(account.id, c.id);
        const both = await Promise.all([1, 2].map(() => saldo.payments.refund(account.id, c.id, { amount: eur(1_000n), reason: 'twice', idempotencyKey: 'same' })));
        expect(both[0]!.id).toBe(both[1]!.id);
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(4_000n));
      });

      it('charges a renewal paid by card the amount it was asked for, whatever the catalogue says since', async () => {
        const account = await newAccount();
        await saldo.wallets.topUp(account.id, eur(1_000n), { idempotencyKey: 'fund' });
        await saldo.catalogue.upsert({ code: 'price-moves', names: { en: 'Moves' }, currency: 'EUR', prices: { monthly: eur(1_000n) } });
        await saldo.orders.checkout(account.id, { items: [{ product: 'price-moves', cycle: 'monthly' }] }, 'pm');
        const [service] = await saldo.orders.services(account.id);
        await database().sql`UPDATE services SET next_due_at = date_trunc('milliseconds', now()) - interval '1 minute' WHERE id = ${service!.id}`;
        expect(await saldo.orders.renewIfDue(service!.id)).toMatchObject({ status: 'awaiting_payment', amount: eur(1_000n) });
        await saldo.catalogue.upsert({ code: 'price-moves', names: { en: 'Moves' }, currency: 'EUR', prices: { monthly: eur(1_500n) } });
        const due = (await saldo.orders.amountsDue(database().sql, account.id))[0]!;
        const p = await startCard(saldo, account.id, { purpose: 'renewal', serviceId: service!.id, period: due.period! });
        await payOnHostedPage(saldo, p, { number: '4242424242424242' });
        expect((await saldo.payments.refresh(account.id, p.id)).status).toBe('succeeded');
        expect((await saldo.orders.services(account.id))[0]!.nextDueAt.getTime()).toBeGreaterThan(Date.now());
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(0n));
      });

      it('leaves a renewal the customer chose not to take from the balance to the customer, when a top-up arrives', async () => {
        const account = await newAccount();
        await saldo.wallets.topUp(account.id, eur(1_000n), { idempotencyKey: 'fund' });
        await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'opted-out');
        const [service] = await saldo.orders.services(account.id);
        await saldo.orders.setAutoRenew(account.id, service!.id, false);
        await database().sql`UPDATE services SET next_due_at = date_trunc('milliseconds', now()) - interval '1 minute' WHERE id = ${service!.id}`;
        expect((await saldo.orders.renewIfDue(service!.id)).status).toBe('awaiting_payment');
        await saldo.payments.start(account.id, { purpose: 'top_up', amount: eur(5_000n), gateway: 'example-pay', idempotencyKey: randomUUID(), locale: 'en', origin: ORIGIN });
        expect((await saldo.orders.services(account.id))[0]!.nextDueAt.getTime()).toBeLessThan(Date.now());
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(5_000n));
      });

      it('tells the panel an order was paid on credit', async () => {
        const account = await saldo.accounts.create({ externalRef: `pp-${randomUUID()}`, name: 'P', email: 'p@example.com', country: 'FR', paymentMode: 'postpaid', creditLimit: eur(20_000n) });
        const { order } = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'credit');
        const paid = (await eventsSince(database().sql, 0n, 10_000)).find((e) => e.type === 'order.paid' && e.payload.orderId === order.id.toString());
        expect(paid?.payload).toMatchObject({ paidWith: 'credit' });
      });
    });
  });
});
