import { allocate, type Currency, divide, type Money, money, percent, type Ratio } from '@saldo/sdk';
import type { LoadedPlugin } from '../plugin-host/loader.js';
import type { BillingCycle, DiscountAdjustment, DiscountContext, DiscountPlugin } from '@saldo/sdk';

/** A line to price: a product at its catalogue price for one cycle. */
export interface LineToPrice {
  productCode: string;
  cycle: BillingCycle;
  quantity: number;
  unitPrice: Money;
  /** The product's percentage off when paid from balance, "0" to "25". */
  balanceDiscountPercent: string;
}

/** One discount on one line, with the reason shown to the customer (an i18n key and params). */
export interface Adjustment {
  code: string;
  reason: { key: string; params: Record<string, string> };
  amount: Money;
}

export interface PricedLine extends LineToPrice {
  subtotal: Money;
  adjustments: Adjustment[];
  discount: Money;
  total: Money;
}

const sumAmounts = (items: readonly { amount: Money }[]) => items.reduce((a, x) => a + x.amount.amount, 0n);

/**
 * Prices an order's lines. Discounts apply in priority order, each to what is left of a line
 * after the earlier ones. A percentage discount is computed on the whole order — rounded down, so
 * a provider never gives more than it offered — and then allocated to the lines in proportion to
 * their exact shares, so the lines add up to the order's figure to the cent. Finally no line is
 * discounted by more than `capPercent` of its price: a line over the cap has its adjustments
 * scaled down, again by allocation.
 */
export function priceLines(
  lines: readonly LineToPrice[],
  discounts: readonly LoadedPlugin<DiscountPlugin>[],
  order: DiscountContext,
  capPercent: string,
): PricedLine[] {
  const priced = lines.map((line) => {
    const subtotal = money(line.unitPrice.amount * BigInt(line.quantity), line.unitPrice.currency);
    return { ...line, subtotal, adjustments: [] as Adjustment[], remaining: subtotal.amount };
  });
  if (priced.length === 0) return [];
  const currency = priced[0]!.subtotal.currency;

  for (const { plugin, config } of discounts) {
    const answers = priced.map((line) =>
      plugin.adjust({
        config,
        order,
        line: {
          productCode: line.productCode, cycle: line.cycle, quantity: line.quantity, unitPrice: line.unitPrice,
          subtotal: money(line.remaining, currency), balanceDiscountPercent: line.balanceDiscountPercent,
        },
      }),
    );
    const amounts = shares(answers, priced.map((l) => l.remaining), currency);
    priced.forEach((line, i) => {
      const answer = answers[i];
      const amount = amounts[i]!;
      if (!answer || amount === 0n) return;
      line.adjustments.push({ code: plugin.code, reason: { key: answer.reason.key, params: answer.reason.params ?? {} }, amount: money(amount, currency) });
      line.remaining -= amount;
    });
  }

  const cap = percent(capPercent);
  return priced.map(({ remaining: _, ...line }) => {
    const limit = divide(line.subtotal.amount * cap.numerator, cap.denominator, 'down');
    let adjustments = line.adjustments;
    if (sumAmounts(adjustments) > limit) {
      const scaled = allocate(money(limit, currency), adjustments.map((a) => a.amount.amount));
      adjustments = adjustments.map((a, i) => ({ ...a, amount: scaled[i]! })).filter((a) => a.amount.amount > 0n);
    }
    const discount = money(sumAmounts(adjustments), currency);
    return { ...line, adjustments, discount, total: money(line.subtotal.amount - discount.amount, currency) };
  });
}

/**
 * What one discount takes from each line, in minor units. Fixed amounts are taken as they are
 * (never more than the line has left). Percentages are summed exactly over the order, rounded
 * down once, and allocated back to the lines by their exact shares.
 */
function shares(answers: readonly (DiscountAdjustment | null)[], bases: readonly bigint[], currency: Currency): bigint[] {
  const out = bases.map(() => 0n);
  const ratios: (Ratio | null)[] = answers.map((a) => (a && 'percent' in a ? percent(a.percent) : null));
  answers.forEach((a, i) => {
    if (a && 'amount' in a && a.amount.currency === currency) out[i] = a.amount.amount < bases[i]! ? a.amount.amount : bases[i]!;
  });

  // Bring every percentage to one denominator, so the exact shares are integers to compare.
  const denominator = ratios.reduce((d, r) => (r && r.denominator > d ? r.denominator : d), 1n);
  const weights = ratios.map((r, i) => (r ? bases[i]! * r.numerator * (denominator / r.denominator) : 0n));
  const exactTotal = weights.reduce((a, w) => a + w, 0n);
  if (exactTotal > 0n) {
    const total = divide(exactTotal, denominator, 'down');
    allocate(money(total, currency), weights).forEach((part, i) => {
      if (ratios[i]) out[i] = part.amount;
    });
  }
  return out;
}
