import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPayment, type Payment } from '../../core/payments/payment.repo.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { ORIGIN } from '../support/sandbox-card.js';
import { deliver, stripeSaldo } from '../support/stripe-card.js';
import type { FakeStripe } from '../support/stripe-fake/index.js';
import { newId, now, type StripeObject, toJson } from '../support/stripe-fake/objects.js';

onEachDatabase((sql, target, database) => {
  describe('the card gateway on Stripe, when things go wrong', () => {
    let saldo: Saldo;
    let fake: FakeStripe;
    const started: Payment[] = [];
    beforeAll(async () => {
      ({ saldo, fake } = await stripeSaldo(database()));
    });
    afterAll(() => fake?.close());

    const newAccount = () => saldo.accounts.create({ externalRef: `sr-${randomUUID()}`, name: 'Client', email: 'c@example.com', country: 'FR', locale: 'fr' });
    const start = async (accountId: bigint, amount: bigint, extra: { saveMethod?: boolean; methodId?: string; offSession?: boolean } = {}) => {
      const p = await saldo.payments.start(accountId, { purpose: 'top_up', amount: eur(amount), gateway: 'card', idempotencyKey: randomUUID(), locale: 'en', origin: ORIGIN, ...extra });
      started.push(p);
      return p;
    };
    const transfersOf = async (p: Payment) => (await sql()`SELECT 1 FROM ledger_transfers WHERE idempotency_key = ${`a${p.accountId}:payment:${p.id}`}`).length;
    const reconcileNow = async (p: Payment) => {
      await sql()`UPDATE payments SET called_at = now() - interval '1 hour', checked_at = NULL WHERE id = ${p.id}`;
      await saldo.payments.reconcile();
      return saldo.payments.get(p.accountId, p.id);
    };
    /** An event Stripe sends about `object`, made now (or `secondsAgo` earlier). */
    const event = (type: string, object: StripeObject, secondsAgo = 0): StripeObject =>
      ({ id: newId('evt'), object: 'event', created: now() - secondsAgo, type, data: { object }, livemode: false });
    /** A kept card on the account: paid once on Stripe's page with `saveMethod`. */
    async function keptCard(accountId: bigint) {
      const p = await start(accountId, 1_000n, { saveMethod: true });
      fake.pay(p.reference!, 'visa');
      await saldo.payments.refresh(accountId, p.id);
      return (await saldo.payments.methods(accountId))[0]!;
    }

    describe('notifications (TESTS #4)', () => {
      it('refuses a bad signature, a stale timestamp and a malformed header, and writes nothing', async () => {
        const account = await newAccount();
        const p = await start(account.id, 2_000n);
        fake.pay(p.reference!, 'visa');
        const [succeeded] = fake.eventsOf(p.id, 'payment_intent.succeeded');
        const answers = [
          await deliver(saldo, succeeded!, { secret: 'whsec_not_the_endpoints_secret_0123' }),
          await deliver(saldo, succeeded!, { timestamp: now() - 301 }),
          await saldo.app.request('/gateways/card/webhook', { method: 'POST', body: toJson(succeeded), headers: { 'stripe-signature': 'v1=deadbeef' } }),
        ];
        expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
        expect(await Promise.all(answers.map(async (a) => (await a.json()).error.code))).toEqual(['WEBHOOK_REJECTED', 'WEBHOOK_REJECTED', 'WEBHOOK_REJECTED']);
        expect(await sql()`SELECT 1 FROM gateway_events WHERE payment_id = ${p.id}`).toHaveLength(0);
        expect((await saldo.payments.get(account.id, p.id)).status).toBe('requires_action');
        expect((await deliver(saldo, succeeded!, { timestamp: now() - 299 })).status).toBe(200); // within the five minutes
      });

      it('books the same event sent five times at once exactly once', async () => {
        const account = await newAccount();
        const p = await start(account.id, 2_100n);
        fake.pay(p.reference!, 'visa');
        const [completed] = fake.eventsOf(p.id, 'checkout.session.completed');
        const answers = await Promise.all(Array.from({ length: 5 }, async () => (await deliver(saldo, completed!)).json() as Promise<{ duplicate: boolean }>));
        expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
        expect(await transfersOf(p)).toBe(1);
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(2_100n));
        report(`stripe same event x5 on ${target}`, { sent: 5, applied: answers.filter((a) => !a.duplicate).length, credits: await transfersOf(p) });
      });

      it('takes events in any order: a late "processing", a late failure, a late expiry change nothing once it succeeded', async () => {
        const account = await newAccount();
        const card = await keptCard(account.id);
        const p = await start(account.id, 2_200n, { methodId: card.id });
        const intent = fake.store.get('payment_intent', p.reference!);
        const [succeeded] = fake.eventsOf(p.id, 'payment_intent.succeeded');
        const late = [
          event('payment_intent.processing', { ...intent, status: 'processing' }, 20),
          event('payment_intent.payment_failed', { ...intent, status: 'requires_payment_method', last_payment_error: { code: 'card_declined' } }, 10),
          event('payment_intent.canceled', { ...intent, status: 'canceled' }, 5),
        ];
        for (const e of [succeeded!, ...late]) expect((await deliver(saldo, e)).status).toBe(200);
        expect(await saldo.payments.get(account.id, p.id)).toMatchObject({ status: 'succeeded', reason: null });
        const ignored = await sql()`SELECT to_status FROM payment_transitions WHERE payment_id = ${p.id} AND NOT applied ORDER BY id`;
        expect(ignored.map((r) => r.to_status)).toEqual(['succeeded', 'pending', 'declined', 'canceled']);
        expect(await transfersOf(p)).toBe(1);
      });

      it('acknowledges events Saldo does not act on: other event types, payments made outside Saldo', async () => {
        const foreign = fake.store.add({ id: newId('pi'), object: 'payment_intent', status: 'succeeded', amount: 999n, amount_received: 999n, currency: 'eur', metadata: {} });
        for (const e of [event('payment_intent.succeeded', foreign), event('charge.refunded', { id: newId('ch'), object: 'charge', metadata: {} })]) {
          const res = await deliver(saldo, e);
          expect(res.status).toBe(200);
          expect(await sql()`SELECT 1 FROM gateway_events WHERE event_id = ${e.id}`).toHaveLength(0);
        }
      });
    });

    describe('crashes and lost answers (TESTS #5)', () => {
      it('cancels a payment recorded just before a crash, without asking Stripe: the call never began', async () => {
        const account = await newAccount();
        const { payment } = await insertPayment(sql(), { accountId: account.id, idempotencyKey: randomUUID(), requestHash: 'h', gateway: 'card', purpose: 'top_up', amount: eur(1_500n) });
        started.push(payment);
        const asked = fake.requests.length;
        expect(await reconcileNow(payment)).toMatchObject({ status: 'canceled', transferId: null });
        expect(fake.requests.length).toBe(asked);
      });

      it('finds a kept card’s charge that Stripe made when a crash came before anyone noted its id, and books it once', async () => {
        const account = await newAccount();
        const card = await keptCard(account.id);
        const { payment } = await insertPayment(sql(), { accountId: account.id, idempotencyKey: randomUUID(), requestHash: 'h', gateway: 'card', purpose: 'top_up', amount: eur(1_800n), methodId: card.id, offSession: true });
        started.push(payment);
        const gateway = saldo.payments.gateways.get('card');
        await gateway.plugin.createPayment(gateway.ctx, {
          paymentId: payment.id, amount: payment.amount, customerNumber: account.customerNumber, description: 'auto top-up', locale: 'en',
          returnUrl: `${ORIGIN}/billing/payments/${payment.id}/return`, gatewayUrl: `${ORIGIN}/billing/gateways/card`, savedMethod: { token: card.token }, offSession: true,
        });
        await sql()`UPDATE card_stripe_payments SET reference = NULL WHERE payment_id = ${payment.id}`; // the crash came first
        const settled = await reconcileNow(payment);
        expect(settled).toMatchObject({ status: 'succeeded', reference: expect.stringMatching(/^pi_/) });
        expect(await reconcileNow(settled)).toMatchObject({ status: 'succeeded' });
        expect(await transfersOf(settled)).toBe(1);
        expect(fake.requests.some((r) => r.path === '/v1/payment_intents' && r.method === 'GET' && r.params.customer)).toBe(true);
      });

      it('gets the same Checkout page back when an answer is lost once: the library retries under the same key', async () => {
        const account = await newAccount();
        fake.loseAnswers(1);
        const p = await start(account.id, 1_600n);
        expect(p).toMatchObject({ status: 'requires_action', outcomeUnknown: false });
        const tries = fake.requests.filter((r) => r.path === '/v1/checkout/sessions' && r.idempotencyKey === p.id);
        expect(tries).toHaveLength(2);
        expect(fake.store.all('checkout.session').filter((s) => (s.metadata as Record<string, string>).saldo_payment_id === p.id)).toHaveLength(1);
      });

      it('lists an automatic top-up whose every answer was lost as unknown, then books what Stripe charged, once', async () => {
        const account = await newAccount();
        const card = await keptCard(account.id);
        fake.loseAnswers(3, '/v1/payment_intents'); // the charge's first try and the library's two retries
        const p = await start(account.id, 2_300n, { methodId: card.id, offSession: true });
        expect(p).toMatchObject({ status: 'created', outcomeUnknown: true });
        expect((await saldo.payments.unknown()).map((u) => u.id)).toContain(p.id);
        const settled = await reconcileNow(p);
        expect(settled).toMatchObject({ status: 'succeeded', outcomeUnknown: false });
        expect((await saldo.payments.unknown()).map((u) => u.id)).not.toContain(p.id);
        expect(fake.store.all('payment_intent').filter((i) => (i.metadata as Record<string, string>).saldo_payment_id === p.id)).toHaveLength(1);
        expect(await transfersOf(settled)).toBe(1);
      });

      it('books once when the return, every event and reconciliation report one success together (after booking, all replays)', async () => {
        const account = await newAccount();
        const p = await start(account.id, 2_400n);
        fake.pay(p.reference!, 'visa');
        await sql()`UPDATE payments SET called_at = now() - interval '1 hour' WHERE id = ${p.id}`;
        await Promise.all([
          saldo.payments.refresh(account.id, p.id), saldo.payments.reconcile(),
          ...fake.eventsOf(p.id).map((e) => deliver(saldo, e)), ...fake.eventsOf(p.id).map((e) => deliver(saldo, e)),
        ]);
        expect(await transfersOf(p)).toBe(1);
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(2_400n));
      });

      it('leaves every payment of this run booked exactly once, or not at all and settled, or listed as unknown', async () => {
        const unknown = new Set((await saldo.payments.unknown()).map((u) => u.id));
        const figures = { payments: started.length, booked: 0, notBooked: 0, listedUnknown: 0, doubled: 0 };
        for (const p of started) {
          const now = await saldo.payments.get(p.accountId, p.id);
          const credits = await transfersOf(now);
          if (credits > 1) figures.doubled++;
          if (now.status === 'succeeded') figures.booked += credits === 1 ? 1 : 0;
          else if (unknown.has(now.id)) figures.listedUnknown++;
          else figures.notBooked += credits === 0 ? 1 : 0;
        }
        expect(figures.doubled).toBe(0);
        expect(figures.booked + figures.notBooked + figures.listedUnknown).toBe(figures.payments);
        report(`stripe crash recovery on ${target}`, figures);
      });
    });
  });
});
