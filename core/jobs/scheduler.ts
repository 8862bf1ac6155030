import type { SaldoConfig } from '../../config/schema.js';
import type { Pool } from '../db/connect.js';
import * as ledger from '../ledger/ledger.repo.js';
import type { OrdersService } from '../orders/orders.service.js';

export interface Jobs {
  /** Runs every job once now (the timers call the same). */
  runOnce(): Promise<{ renewals: number; holdsReleased: number }>;
  stop(): void;
}

/**
 * Runs the periodic work in this process. Every job is idempotent and coordinated through the
 * database (row locks, unique (service, period) renewals, SKIP LOCKED deliveries), so any number
 * of instances may run the same schedule: a second runner finds nothing left to do.
 */
export function startJobs(sql: Pool, config: SaldoConfig, orders: OrdersService): Jobs {
  const renew = async () => (await orders.renewDue()).filter((o) => o.status !== 'skipped').length;
  const sweep = () => ledger.expireHolds(sql);
  const guard = (name: string, job: () => Promise<unknown>) => {
    let running = false;
    return () => {
      if (running) return;
      running = true;
      job().catch((error) => console.error(`[saldo] job ${name} failed`, error)).finally(() => (running = false));
    };
  };
  const timers = [
    setInterval(guard('renewals', renew), config.jobs.renewalsEveryMinutes * 60_000),
    setInterval(guard('hold-sweep', sweep), config.jobs.holdSweepEveryMinutes * 60_000),
  ];
  for (const t of timers) t.unref();
  return {
    runOnce: async () => ({ renewals: await renew(), holdsReleased: await sweep() }),
    stop: () => timers.forEach(clearInterval),
  };
}
