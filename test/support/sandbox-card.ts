import { randomUUID } from 'node:crypto';
import { signTimestamped } from '@saldo/sdk';
import type { Pool } from '../../core/db/connect.js';
import type { Payment } from '../../core/payments/payment.repo.js';
import type { PaymentFor } from '../../core/payments/start-payment.js';
import type { Saldo } from '../../core/saldo.js';

export const ORIGIN = 'http://billing.example';
export const SANDBOX_SECRET = 'sandbox-webhook-secret-not-for-production';

/** Starts a card payment for the account the way the pages do, on the sandbox processor. */
export function startCard(saldo: Saldo, accountId: bigint, what: PaymentFor & { saveMethod?: boolean; methodId?: string }, key: string = randomUUID()) {
  return saldo.payments.start(accountId, { ...what, gateway: 'card', idempotencyKey: key, locale: 'en', origin: ORIGIN });
}

/**
 * The customer on the sandbox's hosted page: types the card and submits (and, for the 3-D Secure
 * test card, confirms or refuses at the challenge step). Answers the last response; the page then
 * sends the customer back to Saldo's return address.
 */
export async function payOnHostedPage(saldo: Saldo, payment: Payment, card: { number: string; expiry?: string; cvc?: string }, challenge: 'complete' | 'fail' = 'complete') {
  const page = new URL(payment.redirectUrl!);
  const form = new URLSearchParams({ number: card.number, expiry: card.expiry ?? '12/30', cvc: card.cvc ?? '123', name: 'Test Customer' });
  let res = await saldo.app.request(page.pathname.replace(/^\/billing/, ''), { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const location = res.headers.get('location');
  if (location?.includes('/sandbox/challenge/')) {
    res = await saldo.app.request(new URL(location).pathname.replace(/^\/billing/, ''), {
      method: 'POST', body: new URLSearchParams({ result: challenge }), headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }
  return res;
}

/** The sandbox's notification about a payment, signed as the sandbox signs it (or with another secret, or at another time). */
export async function sandboxNotification(sql: Pool, p: Payment, status: 'succeeded' | 'declined' | 'canceled', options: { secret?: string; at?: number; eventId?: string } = {}) {
  const [intent] = await sql<{ id: string }[]>`SELECT id FROM card_sandbox_intents WHERE payment_id = ${p.id}`;
  const body = JSON.stringify({
    id: options.eventId ?? `evt_${randomUUID()}`, type: `payment.${status}`, created: Math.floor(Date.now() / 1000),
    data: { intent: intent!.id, payment_id: p.id, gateway_url: 'http://billing.example/billing/gateways/card', status, amount: p.amount.amount.toString(), currency: p.amount.currency, reason: status === 'declined' ? 'card_declined' : null, card: null },
  });
  return { body, signature: signTimestamped(options.secret ?? SANDBOX_SECRET, body, options.at) };
}
