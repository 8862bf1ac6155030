import type { i18n } from 'i18next';
import { z } from 'zod';
import type { SaldoConfig } from '../../config/schema.js';
import type { BillingAccount } from '../accounts/types.js';
import type { Sql } from '../db/connect.js';
import { BillingError } from '../errors.js';
import { type Money, min, money, sum } from '@saldo/sdk';
import type { Locale } from '@saldo/sdk';
import type { PluginRegistry } from '../plugin-host/registry.js';
import { validationError } from '../validation.js';
import { billingCycles, type Catalogue, type Product, productName } from './catalogue.js';
import { type Adjustment, type PricedLine, priceLines } from './pricing.js';

export const orderItemsSchema = z.object({
  items: z
    .array(z.object({
      product: z.string().min(1).max(64),
      cycle: z.enum(billingCycles),
      quantity: z.number().int().min(1).max(1000).default(1),
    }))
    .max(100),
  /** The customer's "use my balance" checkbox at the cart; on by default. */
  useBalance: z.boolean().default(true),
});
export type OrderRequest = z.input<typeof orderItemsSchema>;

export interface QuoteLine extends PricedLine {
  name: string;
  /** The product's name in every language it has: what the posting that pays the line keeps. */
  names: Product['names'];
  adjustments: (Adjustment & { text: string })[];
}

export interface Quote {
  currency: Money['currency'];
  lines: QuoteLine[];
  subtotal: Money;
  discount: Money;
  total: Money;
  useBalance: boolean;
  /** The balance (or credit) pays the whole order, so balance-only discounts apply. */
  paidFromBalance: boolean;
  usableCredit: Money;
  /** Taken from the balance: charged at checkout when it covers the order, held otherwise. */
  balanceApplied: Money;
  /** What a gateway must still collect. */
  amountDue: Money;
  covered: boolean;
}

export interface QuoteDeps {
  config: SaldoConfig;
  plugins: PluginRegistry;
  catalogue: Catalogue;
  i18n: i18n;
}

/**
 * Prices an order for an account. With "use my balance" on, the order is first priced as paid
 * from balance; if the balance (plus credit limit) covers that total, it is. Otherwise it is
 * priced without balance-only discounts, whatever the balance can give is applied, and the rest
 * is due through a gateway. With it off, nothing comes from the balance.
 */
export async function quoteOrder(
  sql: Sql, deps: QuoteDeps, account: BillingAccount, usable: Money, request: OrderRequest, locale: Locale = account.locale,
): Promise<Quote> {
  const parsed = orderItemsSchema.safeParse(request);
  if (!parsed.success) throw validationError(parsed.error);
  const { items, useBalance } = parsed.data;
  if (items.length === 0) throw new BillingError('ORDER_EMPTY');

  const products = new Map((await deps.catalogue.find(sql, [...new Set(items.map((i) => i.product))])).map((p) => [p.code, p]));
  const lines = items.map((item) => {
    const product = products.get(item.product);
    if (!product?.active || product.currency !== account.currency) throw new BillingError('PRODUCT_NOT_FOUND', { product: item.product }, { referenced: true });
    const unitPrice = product.prices[item.cycle];
    if (!unitPrice) throw new BillingError('PRODUCT_CYCLE_UNAVAILABLE', { product: item.product, cycle: item.cycle });
    return { productCode: product.code, cycle: item.cycle, quantity: item.quantity, unitPrice, balanceDiscountPercent: product.balanceDiscountPercent };
  });

  const cap = deps.config.billing.discountCapPercent;
  const price = (paidFromBalance: boolean) => priceLines(lines, deps.plugins.discounts, { paidFromBalance }, cap);
  const totalOf = (priced: PricedLine[]) => sum(priced.map((l) => l.total), account.currency);

  // Balance-only discounts reward money paid in advance: they apply only when what is already on
  // the balance (its own funds, not the credit limit) pays the whole order.
  const discounted = price(true);
  const ownFunds = usable.amount - account.creditLimit.amount;
  const priced = useBalance && ownFunds >= totalOf(discounted).amount ? discounted : price(false);
  const total = totalOf(priced);
  let paidFromBalance = useBalance && usable.amount >= total.amount;
  const balanceApplied = !useBalance ? money(0n, account.currency) : paidFromBalance ? total : min(total, money(usable.amount > 0n ? usable.amount : 0n, account.currency));
  if (!useBalance) paidFromBalance = false;

  const t = (key: string, params: Record<string, string>) => deps.i18n.t(key, { ...params, lng: locale });
  return {
    currency: account.currency,
    lines: priced.map((line) => ({
      ...line,
      name: productName(products.get(line.productCode)!, locale),
      names: products.get(line.productCode)!.names,
      adjustments: line.adjustments.map((a) => ({ ...a, text: t(a.reason.key, a.reason.params) })),
    })),
    subtotal: sum(priced.map((l) => l.subtotal), account.currency),
    discount: sum(priced.map((l) => l.discount), account.currency),
    total,
    useBalance,
    paidFromBalance,
    usableCredit: usable,
    balanceApplied,
    amountDue: money(total.amount - balanceApplied.amount, account.currency),
    covered: paidFromBalance,
  };
}
