import 'reflect-metadata';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadConfig } from '../config/load.js';
import { isBillingError } from './errors.js';
import { withDemoApiKey, withDemoCards } from './demo-config.js';
import { DEMO_CUSTOMERS, seedDemo } from './demo.js';
import { createSaldo } from './saldo.js';

/** The standalone server: Saldo's sub-app mounted at its base path, as a host panel would. */
async function main() {
  // The embedded database is the demo: seeded once, with sign-in links and an API key printed.
  const loaded = loadConfig();
  const demo = !loaded.database.url && process.env.SALDO_DEMO !== 'off';
  const { config, key: demoKey, file: demoKeyFile } = demo ? withDemoApiKey(withDemoCards(loaded)) : { config: loaded, key: '', file: undefined };
  const saldo = await createSaldo(config);
  await saldo.start();
  const base = config.server.basePath;

  const root = new Hono();
  root.get('/healthz', (c) => saldo.app.request('/healthz', { headers: c.req.raw.headers }));
  root.route(base, saldo.app);
  root.get('/', (c) => c.redirect(`${base}/healthz`));

  if (demo) await seedDemo(saldo);

  const server = serve({ fetch: root.fetch, hostname: config.server.host, port: config.server.port }, (info) => {
    const migrations = saldo.migrated.length ? `applied ${saldo.migrated.length} migration(s)` : 'schema up to date';
    const origin = `http://${info.address}:${info.port}`;
    console.log(`Saldo is running at ${origin}${base} — ${saldo.database.description}, ${migrations}`);
    if (!demo) return;
    void Promise.all(DEMO_CUSTOMERS.map((ref) => saldo.customers.handoffLink(ref, undefined, 900))).then((links) => {
      console.log('Demo customers (links valid 15 minutes; restart for new ones):');
      DEMO_CUSTOMERS.forEach((ref, i) => console.log(`  ${ref.padEnd(14)} ${origin}${links[i]!.url}`));
      console.log(`Demo API key${demoKeyFile ? ` (kept in ${demoKeyFile})` : ''}; for the README's examples:`);
      console.log(`  export BASE=${origin}${base}/api/v1 KEY=${demoKey}`);
    });
  });

  const stop = async (signal: string) => {
    console.log(`Saldo is stopping (${signal})`);
    server.close();
    await saldo.stop();
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
