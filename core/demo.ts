import { money } from '@saldo/sdk';
import type { BillingAccount } from './accounts/types.js';
import type { Saldo } from './saldo.js';

/** The demo's customers, by the panel reference they are created under. */
export const DEMO_CUSTOMERS = ['demo-prepaid', 'demo-postpaid'] as const;

const DAY_MS = 86_400_000;

/** A customer's story: each posting, oldest first, with how many days ago it happened. */
type Story = [daysAgo: number, post: () => Promise<unknown>][];

/**
 * Seeds a demo on an empty embedded database: a catalogue, a prepaid customer with a history of
 * top-ups, orders and a refund, and a postpaid customer close to its credit limit — through the
 * same services a panel calls, so the demo shows real bookings. Does nothing when seeded before.
 * On the embedded database its history is then spread over the last 90 days (see `backdate`).
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
  // A usage charge reads as the panel wrote it (here, in its French customer's language).
  const backup = (n: number): Story[number] => [n <= 12 ? 86 - (n - 1) * 3.6 : 43 - (n - 13) * 3.5, () => {
    const text = `Stockage de sauvegarde, 5 Go (relevé ${n})`;
    return saldo.wallets.charge(prepaid.id, eur(35n), { idempotencyKey: `demo-usage-${n}`, description: text, described: { kind: 'usage', text } });
  }];
  const prepaidStory: Story = [
    [89.6, () => saldo.wallets.topUp(prepaid.id, eur(10_000n), { idempotencyKey: 'demo-1', described: card('visa', '4242') })],
    [88.3, () => saldo.orders.checkout(prepaid.id, { items: [{ product: 'vps-s', cycle: 'monthly' }, { product: 'domain-com', cycle: 'annual' }] }, 'demo-order-1')],
    ...Array.from({ length: 12 }, (_, i) => backup(i + 1)),
    [45.2, () => saldo.wallets.topUp(prepaid.id, eur(5_000n), { idempotencyKey: 'demo-2', described: card('mastercard', '4444') })],
    ...Array.from({ length: 12 }, (_, i) => backup(i + 13)),
    [1.7, () => saldo.wallets.refund(prepaid.id, eur(299n), { idempotencyKey: 'demo-3', description: 'Geste commercial', described: { kind: 'refund', reason: 'Geste commercial' } })],
  ];
  for (const [, post] of prepaidStory) await post();

  const postpaid = await saldo.accounts.create({
    externalRef: DEMO_CUSTOMERS[1], name: 'Ana García SL', email: 'facturas@anagarcia.example', country: 'ES', locale: 'es',
    paymentMode: 'postpaid', creditLimit: eur(15_000n), lowBalanceThreshold: eur(2_500n),
  });
  const traffic = 'Tráfico adicional, octubre';
  const postpaidStory: Story = [
    [61.4, () => saldo.orders.checkout(postpaid.id, { items: [{ product: 'vps-s', cycle: 'annual', quantity: 1 }] }, 'demo-order-2')],
    [18.8, () => saldo.wallets.charge(postpaid.id, eur(1_500n), { idempotencyKey: 'demo-usage', description: traffic, described: { kind: 'usage', text: traffic } })],
  ];
  for (const [, post] of postpaidStory) await post();

  if (saldo.database.kind === 'embedded') await backdate(saldo, [[prepaid, prepaidStory], [postpaid, postpaidStory]]);
  return true;
}

/**
 * Dates the demo's postings (and the orders they paid) as their story says, so the history spans
 * the last 90 days and the date filter has something to show. Postings are immutable by trigger
 * (invariant 2) and no service can post in the past, on purpose; so this is done here and only
 * here: on the embedded database the demo just created for itself, right after seeding it and
 * before any customer or panel can reach it, never on a provider's PostgreSQL. The trigger is off
 * for one UPDATE inside one transaction: ALTER TABLE is transactional and holds the table's lock
 * until the commit, so no other statement can write a posting meanwhile, and any failure rolls
 * the trigger back on. Each wallet's postings keep their order (ids and running balances).
 */
async function backdate(saldo: Saldo, stories: [BillingAccount, Story][]): Promise<void> {
  const now = Date.now();
  const moves: { id: string; at: string }[] = [];
  for (const [account, story] of stories) {
    const oldestFirst = (await saldo.wallets.history(account.id, { limit: 1000 })).reverse();
    if (oldestFirst.length !== story.length) throw new Error(`the demo posted ${oldestFirst.length} entries for ${account.externalRef}, its story has ${story.length}`);
    oldestFirst.forEach((e, i) => moves.push({ id: e.id.toString(), at: new Date(now - story[i]![0] * DAY_MS).toISOString() }));
  }
  await saldo.database.sql.begin(async (tx) => {
    await tx`ALTER TABLE ledger_transfers DISABLE TRIGGER ledger_transfers_immutable`;
    await tx`
      UPDATE ledger_transfers t SET created_at = m.at
        FROM jsonb_to_recordset(${JSON.stringify(moves)}::text::jsonb) AS m(id bigint, at timestamptz) WHERE t.id = m.id`;
    await tx`ALTER TABLE ledger_transfers ENABLE TRIGGER ledger_transfers_immutable`;
    await tx`
      UPDATE orders o SET created_at = t.created_at, paid_at = t.created_at
        FROM ledger_transfers t WHERE t.id = o.charge_transfer_id AND o.paid_at IS NOT NULL
         AND o.account_id IN ${tx(stories.map(([account]) => account.id))}`;
  });
}
