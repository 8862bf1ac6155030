import type { i18n } from 'i18next';
import type { SaldoConfig } from '../config/schema.js';
import type { AccountsService } from './accounts/accounts.service.js';
import type { WalletService } from './accounts/wallet.service.js';
import type { CustomerLinks } from './customers/customer-links.js';
import type { Pool } from './db/connect.js';
import type { KeyLocks } from './db/key-locks.js';
import type { Catalogue } from './orders/catalogue.js';
import type { OrdersService } from './orders/orders.service.js';
import type { AutoTopUps } from './payments/auto-top-up.js';
import type { PaymentsService } from './payments/payments.service.js';

/**
 * What the composition root (`createSaldo`) builds once and hands down. A route group declares
 * the part it uses (`Pick<Services, 'accounts' | 'orders'>`), so what it depends on is in its
 * signature rather than looked up at run time.
 */
export interface Services {
  config: SaldoConfig;
  i18n: i18n;
  /** The pool, for what sits below the services: health checks and the API's idempotency records. */
  sql: Pool;
  /** Keys held by live requests, for the API's Idempotency-Keys. */
  keyLocks: KeyLocks;
  accounts: AccountsService;
  wallets: WalletService;
  catalogue: Catalogue;
  orders: OrdersService;
  payments: PaymentsService;
  autoTopUps: AutoTopUps;
  customers: CustomerLinks;
}
