/**
 * Ledger benchmark: pgbench's built-in tpcb-like transaction against the wallet charge, on the
 * same PostgreSQL server, with the same client count and duration, in one run — so the ratio
 * is measured, not remembered. Then the hot-wallet case: every client charging one wallet.
 *
 *   npm run bench:ledger                  (DATABASE_URL defaults to the local server)
 *   BENCH_SECONDS=30 BENCH_CLIENTS=8 npm run bench:ledger
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { loadConfig } from '../../config/load.js';
import { openDatabase } from '../../core/db/connect.js';
import { money } from '@saldo/sdk';
import { createSaldo, type Saldo } from '../../core/saldo.js';

const clients = Number(process.env.BENCH_CLIENTS ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const benchDb = `saldo_bench_${process.pid}`;
const wallets = 1_000;

const admin = postgres({ host: server.hostname, port: Number(server.port || 5432), user: server.username || 'postgres', password: server.password || undefined, database: server.pathname.slice(1) || 'postgres', onnotice: () => {} });
const url = new URL(server);
url.pathname = `/${benchDb}`;

function pgbench(args: string[]): string {
  const env = { ...process.env, PGHOST: server.hostname, PGPORT: server.port || '5432', PGUSER: server.username || 'postgres', PGPASSWORD: server.password };
  return execFileSync('pgbench', [...args, benchDb], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Machine-wide CPU time split, to tell a CPU-bound case from one waiting on round trips or disk. */
function cpuTimes() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq] = f.map(Number) as number[];
  return { busy: user! + nice! + system! + irq! + softirq!, idle: idle!, iowait: iowait! };
}
function cpuSince(before: ReturnType<typeof cpuTimes>) {
  const now = cpuTimes();
  const busy = now.busy - before.busy;
  const total = busy + (now.idle - before.idle) + (now.iowait - before.iowait);
  return `${Math.round((100 * busy) / total)}% busy, ${Math.round((100 * (now.iowait - before.iowait)) / total)}% iowait`;
}

/** Runs `work` from `clients` concurrent loops for `seconds`; counts what succeeded and what was refused. */
async function drive(work: (client: number, i: number) => Promise<unknown>, limit = Infinity) {
  const deadline = performance.now() + seconds * 1000;
  let ok = 0;
  let refused = 0;
  let started = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < deadline && started < limit; i++) {
        started++;
        const s = performance.now();
        try {
          await work(client, i);
          ok++;
        } catch (error) {
          if ((error as { code?: string }).code !== 'INSUFFICIENT_FUNDS') throw error;
          refused++;
        }
        latencies.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
  return { ok, refused, elapsed, rate: (ok + refused) / elapsed, p99 };
}

async function main() {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${benchDb}`);
  await admin.unsafe(`CREATE DATABASE ${benchDb}`);
  let saldo: Saldo | undefined;
  try {
    const version = (await admin`SHOW server_version`)[0]!.server_version;
    console.log(`PostgreSQL ${version} at ${server.hostname}:${server.port || 5432}; ${clients} clients, ${seconds} s per case\n`);

    // 1. pgbench tpcb-like; scale = clients, as pgbench's documentation advises.
    pgbench(['-i', '-q', '-s', String(clients)]);
    let cpu = cpuTimes();
    const out = pgbench(['-n', '-b', 'tpcb-like', '-c', String(clients), '-j', '2', '-T', String(seconds)]);
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
    const pgLatency = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
    const pgCpu = cpuSince(cpu);

    // 2. Saldo: wallet charges through the service a host panel calls.
    const config = loadConfig({ env: {}, overrides: { database: { url: url.toString(), poolSize: clients } } });
    const database = await openDatabase({ ...config.database, url: url.toString(), schema: 'saldo' });
    saldo = await createSaldo(config, { database });
    const accounts: bigint[] = [];
    for (let i = 0; i < wallets; i++) {
      const a = await saldo.accounts.create({ externalRef: `bench-${i}`, name: `Bench ${i}`, email: `b${i}@example.com`, country: 'FR' });
      await saldo.wallets.topUp(a.id, money(1_000_000_000n, 'EUR'), { idempotencyKey: 'fund' });
      accounts.push(a.id);
    }
    const price = money(199n, 'EUR');
    const run = randomUUID().slice(0, 8);
    cpu = cpuTimes();
    const nodeBefore = process.cpuUsage();
    const spread = await drive((c, i) =>
      saldo!.wallets.charge(accounts[(c * 7919 + i * 104_729) % wallets]!, price, { idempotencyKey: `${run}-${c}-${i}`, description: 'VPS S, hourly' }),
    );

    const nodeCpu = process.cpuUsage(nodeBefore);
    const spreadCpu = `${cpuSince(cpu)}; Saldo's Node process ${Math.round((nodeCpu.user + nodeCpu.system) / 1e4 / spread.elapsed)}% of one core`;

    // 3. Hot wallet: every client charges the same wallet.
    const hot = accounts[0]!;
    const hotBefore = (await saldo.accounts.balance(hot)).balance.amount;
    cpu = cpuTimes();
    const hotRun = await drive((c, i) => saldo!.wallets.charge(hot, price, { idempotencyKey: `hot-${run}-${c}-${i}`, description: 'hot' }));
    const hotCpu = cpuSince(cpu);
    const hotAfter = await saldo.accounts.balance(hot);

    // 4. Drain: one wallet funded for exactly 1000 charges, 1500 attempted by all clients at once.
    const drained = await saldo.accounts.create({ externalRef: 'bench-drain', name: 'Drain', email: 'd@example.com', country: 'FR' });
    await saldo.wallets.topUp(drained.id, money(1000n * 199n, 'EUR'), { idempotencyKey: 'fund' });
    const drain = await drive((c, i) => saldo!.wallets.charge(drained.id, price, { idempotencyKey: `drain-${c}-${i}` }), 1500);
    const drainedBalance = await saldo.accounts.balance(drained.id);
    const [sums] = await database.sql<{ derived: bigint }[]>`
      SELECT coalesce(sum(amount_minor), 0)::bigint AS derived FROM ledger_entries
       WHERE account_id = (SELECT wallet_id FROM billing_accounts WHERE id = ${drained.id})`;

    const f = (n: number) => n.toFixed(0).padStart(8);
    console.log('case                                   rate/s   p99 ms   ratio   machine CPU');
    console.log(`pgbench tpcb-like (scale ${clients})            ${f(tps)}   ${(pgLatency).toFixed(2).padStart(6)}*  1.00   ${pgCpu}`);
    console.log(`wallet charge, ${wallets} wallets            ${f(spread.rate)}   ${spread.p99.toFixed(2).padStart(6)}   ${(spread.rate / tps).toFixed(2)}   ${spreadCpu}`);
    console.log(`wallet charge, one hot wallet          ${f(hotRun.rate)}   ${hotRun.p99.toFixed(2).padStart(6)}   ${(hotRun.rate / tps).toFixed(2)}   ${hotCpu}`);
    console.log('* pgbench reports the average latency, not p99\n');
    console.log(`hot wallet: ${hotRun.ok} charges, balance ${hotBefore} → ${hotAfter.balance.amount} (expected ${hotBefore - BigInt(hotRun.ok) * 199n})`);
    console.log(`drain: 1500 attempts on funds for 1000 → ${drain.ok} succeeded, ${drain.refused} refused, balance ${drainedBalance.balance.amount}, sum of entries ${sums!.derived}`);

    const failures = [
      hotAfter.balance.amount !== hotBefore - BigInt(hotRun.ok) * 199n && 'hot wallet balance does not match its charges',
      (drain.ok !== 1000 || drainedBalance.balance.amount !== 0n || sums!.derived !== 0n) && 'drain overdrew or lost a charge',
    ].filter(Boolean);
    if (failures.length) throw new Error(failures.join('; '));
    console.log(`\nratio (wallet charge / pgbench tpcb-like at ${clients} clients): ${(spread.rate / tps).toFixed(2)}× (target ≥ 1.0×)`);
  } finally {
    await saldo?.stop();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${benchDb} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
