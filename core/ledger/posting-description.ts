import { type BillingCycle, cardBrandName, intlTag, type Locale } from '@saldo/sdk';

/**
 * What a posting is, as data: its kind and parameters, rendered in the reader's language when it
 * is read — never text frozen in the language of whoever caused it. Free text appears only where
 * a person wrote it: an operator's reason, the panel's description of a usage charge.
 *
 * Stored with the posting (transfer or hold) in its `metadata` under `description`, immutable with
 * it; the `ledger_entries` view exposes it as `described`. A product keeps its names in every
 * language as it was sold, so a row renders without a catalogue lookup and reads the same after
 * the product is renamed. Postings made before this existed have none: their text is shown.
 *
 * One function renders it everywhere (balance page, its htmx rows, the CSV; invoice lines next):
 *
 * ```ts
 * const d: PostingDescription = { kind: 'order', order: '12', items: [
 *   { product: { en: 'Backup storage', fr: 'Stockage de sauvegarde' }, cycle: 'monthly', quantity: 2 }] };
 * describePosting({ locale: 'fr', t, timeZone: 'Europe/Paris' }, { kind: 'charge', description: '', described: d });
 * // 'Commande 12 : 2 × Stockage de sauvegarde (mensuel)'   — 'Order 12: 2 × Backup storage (monthly)' in English
 * ```
 */
export type PostingDescription =
  /** An order paid from the balance (checkout, or its completion after a gateway payment). */
  | { kind: 'order'; order: string; items: SoldItem[] }
  /** One period of a service, [start, end) as ISO instants. */
  | { kind: 'renewal'; service: string; item: SoldItem; period: { start: string; end: string } }
  /** Money a gateway collected, onto the balance; `paying` when it was for an order or a renewal. */
  | { kind: 'top_up'; via: PaidVia; paying?: { order: string } | { service: string } }
  /** Money going back where a payment came from, with the operator's reason. */
  | { kind: 'payment_refund'; via: PaidVia; reason: string }
  /** Money given back to the balance (of a charge, when `charge` names it), with the operator's reason. */
  | { kind: 'refund'; reason: string; charge?: string }
  /** An operator's credit: goodwill, a correction. */
  | { kind: 'adjustment'; reason: string }
  /** A charge the panel reports (traffic, storage), in its own words. */
  | { kind: 'usage'; text: string };

/** A name in each language: English always, the others where the catalogue has them. */
export type LocalNames = { en: string } & Partial<Record<Locale, string>>;

/** One line sold: the product's names at the time, its billing cycle, how many. */
export interface SoldItem {
  product: LocalNames;
  cycle: BillingCycle;
  quantity: number;
}

/** How money was paid: the gateway's code and, for a card, its brand code and last four digits. */
export interface PaidVia {
  gateway: string;
  card?: { brand: string; last4: string };
}

/** What rendering needs: the language, a translator bound to it, and the provider's time zone. */
export interface DescribeWith {
  locale: Locale;
  t: (key: string, params?: Record<string, unknown>) => string;
  /** `billing.timeZone`: the days a renewal period is shown in. */
  timeZone: string;
}

/** What a posting carries: its ledger kind, its text (older postings), its structure (newer ones). */
export interface Described {
  kind: string;
  description: string;
  described?: PostingDescription | null;
}

/** A name in `locale`, or in English when it has none in that language. */
export const nameIn = (names: LocalNames, locale: Locale): string => names[locale] ?? names.en;

/** The posting in the reader's language: its structure when it has one, else its text, else its kind. */
export function describePosting(w: DescribeWith, posting: Described): string {
  const structured = posting.described ? render(w, posting.described) : undefined;
  return structured || posting.description || w.t(`descriptions:kinds.${posting.kind}`);
}

// Intl formatters are costly to make: one set per language and time zone, kept.
const formats = new Map<string, { list: Intl.ListFormat; days: Intl.DateTimeFormat }>();
function formatsOf(w: DescribeWith) {
  const key = `${w.locale}|${w.timeZone}`;
  let found = formats.get(key);
  if (!found) {
    const tag = intlTag[w.locale];
    found = { list: new Intl.ListFormat(tag, { type: 'conjunction' }), days: new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: w.timeZone }) };
    formats.set(key, found);
  }
  return found;
}

const item = (w: DescribeWith, i: SoldItem) => w.t(i.quantity > 1 ? 'descriptions:items' : 'descriptions:item', {
  product: nameIn(i.product, w.locale), cycle: w.t(`payments:cycles.${i.cycle}`), quantity: i.quantity,
});

/** "Card Visa •••• 4242", or the gateway's own label (`<code>:label`, its code when it is gone). */
const method = (w: DescribeWith, via: PaidVia) => via.card
  ? w.t('descriptions:card', { brand: cardBrandName(via.card.brand), last4: via.card.last4 })
  : w.t(`${via.gateway}:label`, { defaultValue: via.gateway });

/** Undefined for a structure this version does not know (written by a newer one): its text is shown. */
function render(w: DescribeWith, d: PostingDescription): string | undefined {
  switch (d.kind) {
    case 'order':
      return w.t('descriptions:order', { order: d.order, items: formatsOf(w).list.format(d.items.map((i) => item(w, i))) });
    case 'renewal': {
      const [start, end] = [new Date(d.period.start), new Date(d.period.end)];
      if (!(start <= end)) return undefined;
      return w.t('descriptions:renewal', { item: item(w, d.item), period: formatsOf(w).days.formatRange(start, end) });
    }
    case 'top_up': {
      const via = method(w, d.via);
      if (!d.paying) return w.t('descriptions:topUp', { method: via });
      return 'order' in d.paying ? w.t('descriptions:orderPayment', { order: d.paying.order, method: via }) : w.t('descriptions:renewalPayment', { method: via });
    }
    case 'payment_refund':
      return w.t('descriptions:paymentRefund', { method: method(w, d.via), reason: d.reason });
    case 'refund':
      return w.t('descriptions:refund', { reason: d.reason });
    case 'adjustment':
      return w.t('descriptions:adjustment', { reason: d.reason });
    case 'usage':
      return d.text;
    default:
      return undefined;
  }
}
