import card from '../../plugins/gateways/card/index.js';
import type { Payment } from '../../core/payments/payment.repo.js';
import { stripeSaldo } from '../support/stripe-card.js';
import { notification } from '../support/stripe-fake/index.js';
import { newId, now, type StripeObject } from '../support/stripe-fake/objects.js';
import { gatewayConformance } from './gateway-conformance.js';

/**
 * The card gateway on its Stripe processor, against the local fake of Stripe's API: the customer
 * pays on the (fake) Checkout page; notifications are the events Stripe sent, signed as Stripe
 * signs them.
 */
gatewayConformance('card on the Stripe processor', card, async (database) => {
  const { saldo, fake } = await stripeSaldo(database);
  /** The event Stripe sent that reports `outcome`, or, for one it has not (a late one), one made like it. */
  const eventFor = (payment: Payment, outcome: 'succeeded' | 'declined' | 'canceled'): StripeObject => {
    const sent = fake.eventsOf(payment.id, 'payment_intent.succeeded').at(-1);
    if (outcome === 'succeeded' && sent) return sent;
    const intent = (sent?.data as { object: StripeObject } | undefined)?.object ?? { id: newId('pi'), object: 'payment_intent', metadata: { saldo_payment_id: payment.id, saldo_flow: 'direct' } };
    const late = outcome === 'declined'
      ? { type: 'payment_intent.payment_failed', object: { ...intent, status: 'requires_payment_method', metadata: { saldo_payment_id: payment.id, saldo_flow: 'direct' }, last_payment_error: { code: 'card_declined' } } }
      : { type: 'payment_intent.canceled', object: { ...intent, status: 'canceled' } };
    return { id: newId('evt'), object: 'event', created: now(), type: late.type, data: { object: late.object }, livemode: false };
  };
  return {
    saldo,
    collect: async (payment) => {
      if (payment.reference?.startsWith('cs_')) fake.pay(payment.reference, 'visa');
      else if (payment.reference?.startsWith('pi_')) fake.authenticate(payment.reference, true);
    },
    refuse: async (payment) => fake.expire(payment.reference!),
    notification: async (payment, outcome, forge) => notification(eventFor(payment, outcome), {
      ...(forge === 'secret' && { secret: 'whsec_a_guessed_secret_0123456789' }),
      ...(forge === 'stale' && { timestamp: now() - 301 }),
    }),
    loseAnswers: (n) => fake.loseAnswers(n),
    close: () => fake.close(),
  };
}, { losesAnswers: true });
