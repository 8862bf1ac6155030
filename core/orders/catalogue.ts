import { inject, injectable } from 'tsyringe';
import { z } from 'zod';
import type { Pool, Sql } from '../db/connect.js';
import { BillingError } from '../errors.js';
import { type Currency, isCurrency, type Money, money } from '@saldo/sdk';
import type { Locale } from '@saldo/sdk';
import type { BillingCycle } from '@saldo/sdk';
import { nameIn, type SoldItem } from '../ledger/posting-description.js';
import { TOKENS } from '../tokens.js';
import { moneySchema, validationError } from '../validation.js';

export const billingCycles = ['monthly', 'quarterly', 'semi-annual', 'annual'] as const satisfies readonly BillingCycle[];
/** Months each cycle covers. */
export const cycleMonths: Record<BillingCycle, number> = { monthly: 1, quarterly: 3, 'semi-annual': 6, annual: 12 };

export interface Product {
  code: string;
  names: Partial<Record<Locale, string>> & { en: string };
  currency: Currency;
  taxCategory: string;
  /** Percentage off when paid from balance, "0" to "25" (exact decimal text). */
  balanceDiscountPercent: string;
  prices: Partial<Record<BillingCycle, Money>>;
  active: boolean;
}

/** What the host panel registers. Prices are Money in the product's currency. */
export const productSchema = z.object({
  code: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lower-case product code'),
  names: z.object({ en: z.string().trim().min(1).max(200), fr: z.string().trim().min(1).max(200).optional(), es: z.string().trim().min(1).max(200).optional() }),
  currency: z.string().refine(isCurrency, 'expected a supported currency code'),
  taxCategory: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/).default('standard'),
  balanceDiscountPercent: z.string().regex(/^(\d{1,2}(\.\d{1,2})?)$/, 'expected a percentage like "10"')
    .refine((p) => Number.parseInt(p.split('.')[0]!, 10) < 25 || /^25(\.0+)?$/.test(p), 'at most 25%').default('0'),
  prices: z.partialRecord(z.enum(billingCycles), moneySchema).refine((p) => Object.keys(p).length > 0, 'at least one billing cycle needs a price'),
  active: z.boolean().default(true),
});
export type ProductInput = z.input<typeof productSchema>;

interface ProductRow {
  code: string; names: Product['names']; currency: Currency; tax_category: string; balance_discount_percent: string;
  active: boolean; prices: Record<string, string> | null;
}

const toProduct = (row: ProductRow): Product => ({
  code: row.code,
  names: row.names,
  currency: row.currency,
  taxCategory: row.tax_category,
  // numeric arrives as exact text ("10.00"); keep it that way, trimmed of trailing zeros.
  balanceDiscountPercent: row.balance_discount_percent.replace(/\.?0+$/, '') || '0',
  prices: Object.fromEntries(Object.entries(row.prices ?? {}).map(([cycle, minor]) => [cycle, money(BigInt(minor), row.currency)])),
  active: row.active,
});

/** The host panel's products: names per language, a price per billing cycle, discounts. */
@injectable()
export class Catalogue {
  constructor(@inject(TOKENS.Sql) private readonly sql: Pool) {}

  /** Registers a product, or replaces it (and all its prices) when the code exists. */
  async upsert(input: ProductInput): Promise<Product> {
    const parsed = productSchema.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    const p = parsed.data;
    for (const price of Object.values(p.prices)) {
      if (price.currency !== p.currency) throw new BillingError('CURRENCY_MISMATCH', { expected: p.currency, actual: price.currency });
      if (price.amount < 0n) throw new BillingError('AMOUNT_NEGATIVE');
    }
    await this.sql.begin(async (tx) => {
      await tx`
        INSERT INTO products (code, names, currency, tax_category, balance_discount_percent, active)
        VALUES (${p.code}, ${tx.json(p.names)}, ${p.currency}, ${p.taxCategory}, ${p.balanceDiscountPercent}, ${p.active})
        ON CONFLICT (code) DO UPDATE SET names = excluded.names, currency = excluded.currency, tax_category = excluded.tax_category,
          balance_discount_percent = excluded.balance_discount_percent, active = excluded.active, updated_at = now()`;
      await tx`DELETE FROM product_prices WHERE product_code = ${p.code}`;
      const rows = Object.entries(p.prices).map(([cycle, price]) => ({ product_code: p.code, cycle, amount_minor: price.amount }));
      await tx`INSERT INTO product_prices ${tx(rows)}`;
    });
    return (await this.find(this.sql, [p.code]))[0]!;
  }

  async get(code: string): Promise<Product> {
    const [product] = await this.find(this.sql, [code]);
    if (!product) throw new BillingError('PRODUCT_NOT_FOUND', { product: code });
    return product;
  }

  async list(): Promise<Product[]> {
    return this.find(this.sql);
  }

  /** Products by code (all when `codes` is omitted), with their prices. */
  async find(sql: Sql, codes?: readonly string[]): Promise<Product[]> {
    const rows = await sql<ProductRow[]>`
      SELECT p.code, p.names, p.currency, p.tax_category, p.balance_discount_percent::text, p.active,
             (SELECT jsonb_object_agg(cycle, amount_minor::text) FROM product_prices WHERE product_code = p.code) AS prices
        FROM products p ${codes ? sql`WHERE p.code IN ${sql(codes as string[])}` : sql``}
       ORDER BY p.code`;
    return rows.map(toProduct);
  }
}

/** The product's name in `locale`, or in English when it has none in that language. */
export const productName = (product: Product, locale: Locale): string => nameIn(product.names, locale);

/**
 * A line as the posting that pays it describes it: the product's names in every language as sold
 * (its code, should the catalogue no longer have it), the cycle and the quantity.
 */
export const soldItem = (names: Product['names'] | undefined, line: { productCode: string; cycle: BillingCycle; quantity: number }): SoldItem =>
  ({ product: names ?? { en: line.productCode }, cycle: line.cycle, quantity: line.quantity });
