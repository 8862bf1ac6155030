import { describe, expect, it } from 'vitest';
import { cardConfig } from '../config.js';
import { blockedOnCheckout, declineReason, toBrand } from './client.js';

describe('the Stripe processor’s settings and words', () => {
  it('refuses processor "stripe" without its keys, and keys that are not Stripe’s', () => {
    const missing = cardConfig.safeParse({ processor: 'stripe' });
    expect(missing.success ? [] : missing.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['stripe', 'required when processor is "stripe"']]);
    const wrong = cardConfig.safeParse({ processor: 'stripe', stripe: { secretKey: 'pk_live_123456', webhookSecret: 'secret' } });
    expect(wrong.success ? [] : wrong.error.issues.map((i) => i.path.join('.'))).toEqual(['stripe.secretKey', 'stripe.webhookSecret']);
    expect(cardConfig.parse({ processor: 'stripe', stripe: { secretKey: 'sk_test_1234', webhookSecret: 'whsec_1234' } }).stripe).toMatchObject({ expiresAfterMinutes: 60 });
  });

  it('blocks on Stripe’s page the networks outside the allow-list that the page can block', () => {
    expect(blockedOnCheckout(['visa', 'mastercard'])).toEqual(['american_express', 'discover_global_network']);
    expect(blockedOnCheckout(['visa', 'mastercard', 'amex', 'discover'])).toEqual([]);
  });

  it('names Stripe’s brands as the allow-list does, and the others unknown', () => {
    expect(['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', undefined].map(toBrand)).toEqual(['visa', 'mastercard', 'amex', 'discover', 'unknown', 'unknown', 'unknown']);
  });

  it('tells why a card was declined in the reasons Saldo’s pages explain', () => {
    expect([
      declineReason({ code: 'authentication_required', decline_code: 'authentication_required' }),
      declineReason({ code: 'card_declined', decline_code: 'insufficient_funds' }),
      declineReason({ code: 'card_declined', decline_code: 'generic_decline' }),
      declineReason({ code: 'payment_intent_authentication_failure' }),
      declineReason({ code: 'expired_card' }),
      declineReason(null),
    ]).toEqual(['authentication_required', 'insufficient_funds', 'card_declined', 'authentication_failed', 'expired_card', 'card_declined']);
  });
});
