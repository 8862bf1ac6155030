import { money } from '@saldo/sdk';
import type { Saldo } from './saldo.js';

/** The demo's customers, by the panel reference they are created under. */
export const DEMO_CUSTOMERS = ['demo-prepaid', 'demo-postpaid'] as const;

/**
 * Seeds a demo on an empty embedded database: a catalogue, a prepaid customer with a history of
 * top-ups, orders and a refund, and a postpaid customer close to its credit limit — through the
 * same services a panel calls, so the demo shows real bookings. Does nothing when seeded before.
 */
export async function seedDemo(saldo: Saldo): Promise<boolean> {
  const existing = await saldo.accounts.getByExternalRef(DEMO_CUSTOMERS[0]).catch(() => undefined);
  if (existing) return false;
  const eur = (amount: bigint) => money(amount, 'EUR');

  await saldo.catalogue.upsert({
    code: 'vps-s', names: { en: 'VPS S (2 vCPU, 4 GB)', fr: 'VPS S (2 vCPU, 4 Go)', es: 'VPS S (2 vCPU, 4 GB)' }, currency: 'EUR',
    prices: { monthly: eur(990n), quarterly: eur(2_900n), annual: eur(11_880n) }, balanceDiscountPercent: '10',
  });
  await saldo.catalogue.upsert({
    code: 'domain-com', names: { en: '.com domain', fr: 'Domaine .com', es: 'Dominio .com' }, currency: 'EUR', prices: { annual: eur(1_299n) },
  });

  const prepaid = await saldo.accounts.create({
    externalRef: DEMO_CUSTOMERS[0], name: 'Atelier Dupont', email: 'compta@atelier-dupont.example', country: 'FR', locale: 'fr',
    paymentMode: 'prepaid', lowBalanceThreshold: eur(2_000n),
  });
  const card = (brand: string, last4: string) => ({ kind: 'top_up', via: { gateway: 'card', card: { brand, last4 } } }) as const;
  await saldo.wallets.topUp(prepaid.id, eur(10_000n), { idempotencyKey: 'demo-1', described: card('visa', '4242') });
  await saldo.orders.checkout(prepaid.id, { items: [{ product: 'vps-s', cycle: 'monthly' }, { product: 'domain-com', cycle: 'annual' }] }, 'demo-order-1');
  for (let month = 1; month <= 24; month++) {
    // A usage charge reads as the panel wrote it (here, in its French customer's language).
    const text = `Stockage de sauvegarde, ${month} × 5 Go`;
    await saldo.wallets.charge(prepaid.id, eur(35n), { idempotencyKey: `demo-usage-${month}`, description: text, described: { kind: 'usage', text } });
  }
  await saldo.wallets.topUp(prepaid.id, eur(5_000n), { idempotencyKey: 'demo-2', described: card('mastercard', '4444') });
  await saldo.wallets.refund(prepaid.id, eur(299n), { idempotencyKey: 'demo-3', description: 'Geste commercial', described: { kind: 'refund', reason: 'Geste commercial' } });

  const postpaid = await saldo.accounts.create({
    externalRef: DEMO_CUSTOMERS[1], name: 'Ana García SL', email: 'facturas@anagarcia.example', country: 'ES', locale: 'es',
    paymentMode: 'postpaid', creditLimit: eur(15_000n), lowBalanceThreshold: eur(2_500n),
  });
  await saldo.orders.checkout(postpaid.id, { items: [{ product: 'vps-s', cycle: 'annual', quantity: 1 }] }, 'demo-order-2');
  const traffic = 'Tráfico adicional, octubre';
  await saldo.wallets.charge(postpaid.id, eur(1_500n), { idempotencyKey: 'demo-usage', description: traffic, described: { kind: 'usage', text: traffic } });
  return true;
}
