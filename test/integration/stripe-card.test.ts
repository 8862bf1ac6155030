import { randomUUID } from 'node:crypto';
import type { Locale } from '@saldo/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveMethod } from '../../core/payments/payment-methods.repo.js';
import type { Payment } from '../../core/payments/payment.repo.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { ORIGIN } from '../support/sandbox-card.js';
import { deliver, stripeSaldo } from '../support/stripe-card.js';
import type { FakeStripe } from '../support/stripe-fake/index.js';

onEachDatabase((sql, target, database) => {
  describe('the card gateway on Stripe', () => {
    let saldo: Saldo;
    let fake: FakeStripe;
    beforeAll(async () => {
      ({ saldo, fake } = await stripeSaldo(database()));
    });
    afterAll(() => fake?.close());

    const newAccount = () => saldo.accounts.create({ externalRef: `st-${randomUUID()}`, name: 'Client', email: 'c@example.com', country: 'FR', locale: 'fr' });
    const start = (accountId: bigint, amount: bigint, extra: { saveMethod?: boolean; methodId?: string; offSession?: boolean; locale?: Locale } = {}) =>
      saldo.payments.start(accountId, { purpose: 'top_up', amount: eur(amount), gateway: 'card', idempotencyKey: randomUUID(), locale: extra.locale ?? 'en', origin: ORIGIN, ...extra });
    const sent = (path: string, key: string) => fake.requests.filter((r) => r.method === 'POST' && r.path === path && r.idempotencyKey === key);
    const transfersOf = async (p: Payment) => (await sql()`SELECT 1 FROM ledger_transfers WHERE idempotency_key = ${`a${p.accountId}:payment:${p.id}`}`).length;
    const intentOf = (p: Payment) => fake.store.get('payment_intent', fake.store.get('checkout.session', p.reference!).payment_intent as string);

    it('sends the customer to a Checkout page made from the payment: its id as idempotency key and metadata, minor units, the return page, the customer’s language', async () => {
      const account = await newAccount();
      const payment = await start(account.id, 2_550n, { locale: 'fr' });
      expect(payment).toMatchObject({ status: 'requires_action', reference: expect.stringMatching(/^cs_/), redirectUrl: expect.stringMatching(/\/c\/pay\/cs_/) });
      const [created] = sent('/v1/checkout/sessions', payment.id);
      expect(created!.params).toMatchObject({
        mode: 'payment', locale: 'fr', allowed_payment_method_types: ['card'],
        success_url: `${ORIGIN}/billing/payments/${payment.id}/return`, cancel_url: `${ORIGIN}/billing/payments/${payment.id}/return`,
        metadata: { saldo_payment_id: payment.id }, payment_intent_data: { metadata: { saldo_payment_id: payment.id, saldo_flow: 'checkout' } },
        line_items: [{ quantity: '1', price_data: { currency: 'eur', unit_amount: '2550', product_data: { name: `Paiement sur votre compte, numéro de client ${account.customerNumber}` } } }],
        payment_method_options: { card: { restrictions: { brands_blocked: ['american_express', 'discover_global_network'] } } },
        custom_text: { submit: { message: 'Cartes acceptées : Visa, Mastercard.' } },
      });
      // The spine never calls twice for one payment; the gateway asked again finds the same session.
      const gateway = saldo.payments.gateways.get('card');
      const again = await gateway.plugin.createPayment(gateway.ctx, {
        paymentId: payment.id, amount: payment.amount, customerNumber: account.customerNumber, description: `${account.customerNumber} top-up`, locale: 'fr',
        returnUrl: `${ORIGIN}/billing/payments/${payment.id}/return`, gatewayUrl: `${ORIGIN}/billing/gateways/card`,
      });
      expect(again).toEqual({ status: 'requires_action', reference: payment.reference, redirectUrl: payment.redirectUrl });
      expect(fake.store.all('checkout.session').filter((s) => (s.metadata as Record<string, string>).saldo_payment_id === payment.id)).toHaveLength(1);
    });

    it('lets the customer try another card after a decline on Stripe’s page, and books the one that pays', async () => {
      const account = await newAccount();
      const payment = await start(account.id, 4_000n);
      expect(fake.pay(payment.reference!, 'chargeDeclined')).toBe('declined');
      const [failed] = fake.eventsOf(payment.id, 'payment_intent.payment_failed');
      expect(await (await deliver(saldo, failed!)).json()).toEqual({ received: true, duplicate: false });
      expect(await saldo.payments.refresh(account.id, payment.id)).toMatchObject({ status: 'requires_action', redirectUrl: payment.redirectUrl });
      expect(fake.pay(payment.reference!, 'mastercard')).toBe('paid');
      for (const event of fake.eventsOf(payment.id)) expect((await deliver(saldo, event)).status).toBe(200);
      const paid = await saldo.payments.get(account.id, payment.id);
      expect(paid).toMatchObject({ status: 'succeeded', reference: expect.stringMatching(/^pi_/) });
      expect(await transfersOf(paid)).toBe(1);
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(4_000n));
    });

    it('cancels the payment when Stripe’s page lapses unpaid', async () => {
      const account = await newAccount();
      const payment = await start(account.id, 1_000n);
      fake.expire(payment.reference!);
      const [expired] = fake.eventsOf(payment.id, 'checkout.session.expired');
      expect((await deliver(saldo, expired!)).status).toBe(200);
      expect(await saldo.payments.get(account.id, payment.id)).toMatchObject({ status: 'canceled', transferId: null });
    });

    it('blocks American Express on Stripe’s page; a JCB card paid anyway is refunded whole and declined, once however often reported', async () => {
      const account = await newAccount();
      const payment = await start(account.id, 3_000n);
      expect(fake.pay(payment.reference!, 'amex')).toBe('blocked');
      expect(fake.pay(payment.reference!, 'jcb')).toBe('paid');
      const declined = await saldo.payments.refresh(account.id, payment.id);
      for (const event of fake.eventsOf(payment.id)) expect((await deliver(saldo, event)).status).toBe(200);
      await sql()`UPDATE payments SET called_at = now() - interval '1 hour' WHERE id = ${payment.id}`;
      await saldo.payments.reconcile();
      expect(declined).toMatchObject({ status: 'declined', reason: 'brand_not_accepted', transferId: null });
      const intent = intentOf(payment);
      expect(fake.store.refunded.get(intent.id)).toBe(3_000n);
      expect(fake.store.all('refund').filter((r) => r.payment_intent === intent.id)).toHaveLength(1);
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(0n));
      report(`stripe brand refusal on ${target}`, { blockedOnPage: 'amex', paidAnyway: 'jcb', refunded: 3_000n, refunds: 1, credits: await transfersOf(declined) });
    });

    it('judges a payment by the allow-list it was made under: a late report after the list lost the brand books nothing twice and refunds nothing', async () => {
      const account = await newAccount();
      const payment = await start(account.id, 2_000n);
      expect(fake.pay(payment.reference!, 'visa')).toBe('paid');
      for (const event of fake.eventsOf(payment.id)) expect((await deliver(saldo, event)).status).toBe(200);
      // The provider then takes Visa off the list; Stripe resends the payment's events.
      const { saldo: later } = await stripeSaldo(database(), { brands: ['mastercard'] }, fake);
      for (const event of fake.eventsOf(payment.id)) expect((await deliver(later, event)).status).toBe(200);
      expect(await later.payments.refresh(account.id, payment.id)).toMatchObject({ status: 'succeeded' });
      expect(fake.store.all('refund').filter((r) => r.payment_intent === intentOf(payment).id)).toEqual([]);
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(2_000n));
      // A payment asked for under the new list is judged by it.
      const next = await later.payments.start(account.id, { purpose: 'top_up', amount: eur(1_000n), gateway: 'card', idempotencyKey: randomUUID(), locale: 'en', origin: ORIGIN });
      expect(fake.pay(next.reference!, 'visa')).toBe('blocked');
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(2_000n));
    });

    it('keeps cards on one Stripe Customer per account, and charges a kept card without the customer', async () => {
      const account = await newAccount();
      for (const card of ['visa', 'mastercard'] as const) {
        const p = await start(account.id, 1_000n, { saveMethod: true });
        fake.pay(p.reference!, card);
        expect((await saldo.payments.refresh(account.id, p.id)).status).toBe('succeeded');
      }
      const [mapping] = await sql()<{ customer_id: string }[]>`SELECT customer_id FROM card_stripe_customers WHERE customer_number = ${account.customerNumber}`;
      const methods = await saldo.payments.methods(account.id);
      expect(methods.map((m) => [m.brand, m.last4])).toEqual([['visa', '4242'], ['mastercard', '4444']]);
      for (const m of methods) expect(fake.store.get('payment_method', m.token).customer).toBe(mapping!.customer_id);

      const auto = await start(account.id, 2_000n, { methodId: methods[0]!.id, offSession: true });
      expect(auto).toMatchObject({ status: 'succeeded', reference: expect.stringMatching(/^pi_/) });
      expect(sent('/v1/payment_intents', auto.id)[0]!.params).toMatchObject({
        amount: '2000', currency: 'eur', customer: mapping!.customer_id, payment_method: methods[0]!.token, confirm: 'true', off_session: 'true',
        metadata: { saldo_payment_id: auto.id, saldo_flow: 'direct' },
      });
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(4_000n));
    });

    it('declines a kept card whose bank wants the customer when the customer is away; with the customer, sends them to the bank’s step', async () => {
      const account = await newAccount();
      const saved = await start(account.id, 1_000n, { saveMethod: true });
      fake.pay(saved.reference!, 'authenticationRequired'); // Checkout took the customer through 3-D Secure
      await saldo.payments.refresh(account.id, saved.id);
      const [method] = await saldo.payments.methods(account.id);

      const away = await start(account.id, 1_500n, { methodId: method!.id, offSession: true });
      expect(away).toMatchObject({ status: 'declined', reason: 'authentication_required', reference: expect.stringMatching(/^pi_/) });
      const present = await start(account.id, 1_500n, { methodId: method!.id });
      expect(present).toMatchObject({ status: 'requires_action', redirectUrl: expect.stringMatching(/\/3ds\/pi_/) });
      fake.authenticate(present.reference!, true);
      expect((await saldo.payments.refresh(account.id, present.id)).status).toBe('succeeded');
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(2_500n));
    });

    it('never charges a kept card of a brand the allow-list no longer takes', async () => {
      const account = await newAccount();
      const customer = fake.store.add({ id: `cus_${randomUUID().replace(/-/g, '')}`, object: 'customer', metadata: {} }).id;
      const token = fake.keptCard('amex', customer);
      const methodId = await saveMethod(sql(), account.id, 'card', { token, brand: 'amex', last4: '8431', expMonth: 12, expYear: 2034 });
      const before = fake.requests.filter((r) => r.path === '/v1/payment_intents').length;
      expect(await start(account.id, 1_000n, { methodId, offSession: true })).toMatchObject({ status: 'declined', reason: 'brand_not_accepted' });
      expect(fake.requests.filter((r) => r.path === '/v1/payment_intents').length).toBe(before);
    });

    it('refunds in part and in whole under Saldo’s refund ids, and refuses more than is left', async () => {
      const account = await newAccount();
      const p = await start(account.id, 5_000n);
      fake.pay(p.reference!, 'visa');
      const paid = await saldo.payments.refresh(account.id, p.id);
      const gateway = saldo.payments.gateways.get('card');
      const refund = (refundId: string, amount: bigint) => gateway.plugin.refund!(gateway.ctx, { refundId, paymentId: paid.id, reference: paid.reference!, amount: eur(amount), reason: 'goodwill' });
      const part = randomUUID();
      const first = await refund(part, 1_200n);
      expect(await refund(part, 1_200n)).toEqual(first);
      expect(sent('/v1/refunds', part)[0]!.params).toMatchObject({ payment_intent: paid.reference, amount: '1200', metadata: { saldo_refund_id: part } });
      expect(await refund(randomUUID(), 4_000n)).toEqual({ status: 'failed', reason: 'amount_too_large' });
      expect(await refund(randomUUID(), 3_800n)).toMatchObject({ status: 'succeeded', reference: expect.stringMatching(/^re_/) });
      expect(fake.store.refunded.get(paid.reference!)).toBe(5_000n);
    });

    it('detaches a removed card at Stripe, and declines a charge of it afterwards', async () => {
      const account = await newAccount();
      const p = await start(account.id, 1_000n, { saveMethod: true });
      fake.pay(p.reference!, 'visa');
      await saldo.payments.refresh(account.id, p.id);
      const [method] = await saldo.payments.methods(account.id);
      const gateway = saldo.payments.gateways.get('card');
      await gateway.plugin.removeMethod!(gateway.ctx, method!.token);
      await gateway.plugin.removeMethod!(gateway.ctx, method!.token); // gone already is as good
      expect(fake.store.get('payment_method', method!.token).customer).toBeNull();
      expect(await start(account.id, 1_000n, { methodId: method!.id, offSession: true })).toMatchObject({ status: 'declined', reason: 'card_not_found' });
    });
  });
});
