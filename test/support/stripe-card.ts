import type { Database } from '../../core/db/connect.js';
import type { Saldo } from '../../core/saldo.js';
import { testPlugins, testSaldo } from './saldo.js';
import { FAKE_SECRET_KEY, FAKE_WEBHOOK_SECRET, FakeStripe, notification } from './stripe-fake/index.js';
import type { StripeObject } from './stripe-fake/objects.js';

/**
 * A Saldo whose card gateway runs on the Stripe processor, against a local fake of Stripe's API:
 * a fresh one, or `fake` (two Saldos configured apart over one Stripe account).
 */
export async function stripeSaldo(database: Database, card: Record<string, unknown> = {}, fake = new FakeStripe()): Promise<{ saldo: Saldo; fake: FakeStripe }> {
  const address = await fake.listen();
  const saldo = await testSaldo(database, {
    plugins: testPlugins({ processor: 'stripe', stripe: { secretKey: FAKE_SECRET_KEY, webhookSecret: FAKE_WEBHOOK_SECRET, ...address }, ...card }),
  });
  return { saldo, fake };
}

/** Posts a Stripe event to the card gateway's webhook endpoint, signed as Stripe signs it. */
export function deliver(saldo: Saldo, event: StripeObject, options: { secret?: string; timestamp?: number } = {}) {
  const { body, headers } = notification(event, options);
  return saldo.app.request('/gateways/card/webhook', { method: 'POST', body, headers });
}
