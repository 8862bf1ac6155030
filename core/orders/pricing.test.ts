import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import balancePayment from '../../plugins/discounts/balance-payment/index.js';
import billingCycle from '../../plugins/discounts/billing-cycle/index.js';
import { money } from '@saldo/sdk';
import type { LoadedPlugin } from '../plugin-host/loader.js';
import type { BillingCycle, DiscountPlugin } from '@saldo/sdk';
import { type LineToPrice, priceLines } from './pricing.js';

const loaded = (plugin: DiscountPlugin, options = {}): LoadedPlugin<DiscountPlugin> => ({
  plugin, config: plugin.configSchema.parse(options), source: 'test', translations: {},
});
const discounts = [loaded(billingCycle as unknown as DiscountPlugin), loaded(balancePayment as unknown as DiscountPlugin)];
const eur = (amount: bigint) => money(amount, 'EUR');
const line = (price: bigint, cycle: BillingCycle = 'monthly', over: Partial<LineToPrice> = {}): LineToPrice => ({
  productCode: 'vps-s', cycle, quantity: 1, unitPrice: eur(price), balanceDiscountPercent: '0', ...over,
});
const summary = (lines: ReturnType<typeof priceLines>) =>
  lines.map((l) => ({ subtotal: l.subtotal.amount, discount: l.discount.amount, total: l.total.amount, by: l.adjustments.map((a) => [a.code, a.amount.amount]) }));

describe('pricing', () => {
  it('takes 3% off an annual line, rounding down', () => {
    // 3% of 99.99 = 2.9997 → 2.99
    expect(summary(priceLines([line(9_999n, 'annual')], discounts, { paidFromBalance: false }, '25'))).toEqual([
      { subtotal: 9_999n, discount: 299n, total: 9_700n, by: [['billing-cycle', 299n]] },
    ]);
  });

  it('applies the cycle discount, then the balance discount on what is left', () => {
    // 120.00: 3% = 3.60 → 116.40; 10% of 116.40 = 11.64 → 104.76
    const [priced] = priceLines([line(12_000n, 'annual', { balanceDiscountPercent: '10' })], discounts, { paidFromBalance: true }, '25');
    expect(summary([priced!])).toEqual([{ subtotal: 12_000n, discount: 1_524n, total: 10_476n, by: [['billing-cycle', 360n], ['balance-payment', 1_164n]] }]);
    expect(priced!.adjustments.map((a) => a.reason)).toEqual([
      { key: 'billing-cycle:annual', params: { percent: '3' } },
      { key: 'balance-payment:reason', params: { percent: '10' } },
    ]);
  });

  it('gives no balance discount to an order not paid from the balance', () => {
    const lines = priceLines([line(5_000n, 'monthly', { balanceDiscountPercent: '20' })], discounts, { paidFromBalance: false }, '25');
    expect(summary(lines)).toEqual([{ subtotal: 5_000n, discount: 0n, total: 5_000n, by: [] }]);
  });

  it('caps a line’s discounts at 25% and scales them so they sum to the cap exactly', () => {
    // 100.00: 3% = 3.00 → 97.00; 25% of 97.00 = 24.25 → 27.25 in all, capped to 25.00:
    // allocated 3:24.25 → 2.75 and 22.25 (largest remainders)
    const lines = priceLines([line(10_000n, 'annual', { balanceDiscountPercent: '25' })], discounts, { paidFromBalance: true }, '25');
    expect(summary(lines)).toEqual([{ subtotal: 10_000n, discount: 2_500n, total: 7_500n, by: [['billing-cycle', 275n], ['balance-payment', 2_225n]] }]);
  });

  it('rounds across lines once: three annual lines of 9.99 get 0.89 off in all, not 3 × 0.29', () => {
    // 3% of 29.97 = 0.8991 → 0.89, allocated 0.30 + 0.30 + 0.29
    const lines = priceLines([line(999n, 'annual'), line(999n, 'annual'), line(999n, 'annual')], discounts, { paidFromBalance: false }, '25');
    expect(lines.map((l) => l.discount.amount)).toEqual([30n, 30n, 29n]);
    expect(lines.reduce((a, l) => a + l.total.amount, 0n)).toBe(2_997n - 89n);
  });

  it('multiplies by quantity and keeps zero-priced lines at zero', () => {
    const lines = priceLines([line(499n, 'monthly', { quantity: 3 }), line(0n, 'annual')], discounts, { paidFromBalance: true }, '25');
    expect(summary(lines)).toEqual([
      { subtotal: 1_497n, discount: 0n, total: 1_497n, by: [] },
      { subtotal: 0n, discount: 0n, total: 0n, by: [] },
    ]);
  });

  it('keeps every line exact under any prices, quantities, cycles and percentages', () => {
    const cycles: BillingCycle[] = ['monthly', 'quarterly', 'semi-annual', 'annual'];
    const arbitraryLine = fc.record({
      price: fc.bigInt({ min: 0n, max: 10_000_000n }),
      quantity: fc.integer({ min: 1, max: 50 }),
      cycle: fc.constantFrom(...cycles),
      percent: fc.constantFrom('0', '5', '7.5', '10', '12.25', '25'),
    });
    fc.assert(
      fc.property(fc.array(arbitraryLine, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.constantFrom('10', '25', '30'), (items, fromBalance, cap) => {
        const input = items.map((i) => line(i.price, i.cycle, { quantity: i.quantity, balanceDiscountPercent: i.percent }));
        const priced = priceLines(input, [loaded(billingCycle as unknown as DiscountPlugin, { quarterly: '1.5', annual: '3' }), discounts[1]!], { paidFromBalance: fromBalance }, cap);
        for (const l of priced) {
          expect(l.subtotal.amount).toBe(l.unitPrice.amount * BigInt(l.quantity));
          expect(l.total.amount).toBe(l.subtotal.amount - l.discount.amount);
          expect(l.adjustments.reduce((a, x) => a + x.amount.amount, 0n)).toBe(l.discount.amount);
          expect(l.discount.amount * 100n <= l.subtotal.amount * BigInt(cap)).toBe(true);
          expect(l.adjustments.every((a) => a.amount.amount > 0n)).toBe(true);
          if (!fromBalance) expect(l.adjustments.some((a) => a.code === 'balance-payment')).toBe(false);
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
