import type { SaldoConfig } from '../../config/schema.js';
import type { WalletService } from '../accounts/wallet.service.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { Gateways } from '../payments/gateways.js';
import type { PaymentsService } from '../payments/payments.service.js';
import type { QueueDefinition } from './job-queue.js';

/**
 * The module's scheduled work. Each run is idempotent — renewals are unique per (service,
 * period), holds expire once — so a run repeated after a crash changes nothing twice. `stately`
 * keeps one run waiting and one running, so a slow run is never overtaken by the next tick's.
 */
export function periodicWork(config: SaldoConfig, services: { orders: OrdersService; wallets: WalletService; payments: PaymentsService }): QueueDefinition[] {
  return [
    { name: 'renewals', policy: 'stately', schedule: config.jobs.renewals, run: () => services.orders.renewDue() },
    // Expired holds go back to the balance; threshold crossings a stopped process left are followed.
    {
      name: 'hold-expiry', policy: 'stately', schedule: config.jobs.holdExpiry,
      run: async () => ({ holds: await services.wallets.expireHolds(), crossings: await services.wallets.followLeftCrossings() }),
    },
    { name: 'payment-reconciliation', policy: 'stately', schedule: config.payments.reconcile, run: () => services.payments.reconcile() },
  ];
}

/** The gateways' own scheduled work, each in a queue named after its gateway. */
export function gatewayWork(gateways: Gateways): QueueDefinition[] {
  return gateways.all.flatMap((g) => (g.plugin.jobs ?? []).map((job) => ({
    name: `gateway.${g.code}.${job.name}`, policy: 'stately' as const, schedule: job.schedule, run: () => job.run(g.ctx),
  })));
}
