import type { SaldoConfig } from '../../config/schema.js';
import type { WalletService } from '../accounts/wallet.service.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { QueueDefinition } from './job-queue.js';

/**
 * The module's scheduled work. Each run is idempotent — renewals are unique per (service,
 * period), holds expire once — so a run repeated after a crash changes nothing twice. `stately`
 * keeps one run waiting and one running, so a slow run is never overtaken by the next tick's.
 */
export function periodicWork(config: SaldoConfig, services: { orders: OrdersService; wallets: WalletService }): QueueDefinition[] {
  return [
    { name: 'renewals', policy: 'stately', schedule: config.jobs.renewals, run: () => services.orders.renewDue() },
    { name: 'hold-expiry', policy: 'stately', schedule: config.jobs.holdExpiry, run: () => services.wallets.expireHolds() },
  ];
}
