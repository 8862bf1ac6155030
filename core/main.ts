import 'reflect-metadata';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadConfig } from '../config/load.js';
import { isBillingError } from './errors.js';
import { startJobs } from './jobs/scheduler.js';
import { createSaldo } from './saldo.js';

/** The standalone server: Saldo's sub-app mounted at its base path, as a host panel would. */
async function main() {
  const config = loadConfig();
  const saldo = await createSaldo(config);
  saldo.events.start();
  const jobs = startJobs(saldo.database.sql, config, saldo.orders);
  const base = config.server.basePath;

  const root = new Hono();
  root.get('/healthz', (c) => saldo.app.request('/healthz', { headers: c.req.raw.headers }));
  root.route(base, saldo.app);
  root.get('/', (c) => c.redirect(`${base}/healthz`));

  const server = serve({ fetch: root.fetch, hostname: config.server.host, port: config.server.port }, (info) => {
    const migrations = saldo.migrated.length ? `applied ${saldo.migrated.length} migration(s)` : 'schema up to date';
    console.log(`Saldo is running at http://${info.address}:${info.port}${base} — ${saldo.database.description}, ${migrations}`);
  });

  const stop = async (signal: string) => {
    console.log(`Saldo is stopping (${signal})`);
    server.close();
    jobs.stop();
    await saldo.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  // A boot error names what to fix; print it plainly, without a stack trace for known errors.
  if (isBillingError(error)) console.error(`Saldo could not start [${error.code}]: ${error.message}`);
  else console.error('Saldo could not start:', error);
  process.exit(1);
});
