/**
 * Customer-page benchmark: the balance page of a seeded account, served on real PostgreSQL,
 * against a bare Hono handler on the same server in the same run, both loaded by wrk (a separate
 * process, 50 connections). Prints requests/s, p99 and this process's CPU per request for each.
 *
 * These machines' speed drifts by up to a third within minutes, so the two are measured in
 * alternating rounds and the ratio is taken round by round (each page round against the bare round
 * just before it); the median round is the result. A second case spreads the same load over 200
 * customers, each with a history, one session cookie each (wrk's Lua rotates them). A third asks
 * for a page not seen before on every request (an address of its own), read in full and rendered:
 * the first view after a change, where the first two mostly find the page kept. A fourth sends
 * the balance page's bytes and headers as they are, with no work behind them: how far the size of
 * the response alone takes a page from the bare handler.
 *
 *   npm run bench:pages            (DATABASE_URL defaults to the local server; installs wrk if missing)
 *   BENCH_SECONDS=10 BENCH_ROUNDS=5 npm run bench:pages
 */
import 'reflect-metadata';
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';
import { loadConfig } from '../../config/load.js';
import { openDatabase } from '../../core/db/connect.js';
import { seedDemo } from '../../core/demo.js';
import { money } from '@saldo/sdk';
import { createSaldo, type Saldo } from '../../core/saldo.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = 50;
const customers = 200;
const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const benchDb = `saldo_pages_${process.pid}`;

function ensureWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') return; // wrk --version exits 1 but exists
    execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
}

interface Run { rate: number; p99: number; cpuPerRequest: number }

/** Runs wrk against `url` (asynchronously: this process is the server). */
async function wrk(url: string, options: { headers?: string[]; script?: string; seconds?: number } = {}): Promise<Run> {
  const args = ['-t2', `-c${connections}`, `-d${options.seconds ?? seconds}s`, '--latency',
    ...(options.headers ?? []).flatMap((h) => ['-H', h]), ...(options.script ? ['-s', options.script] : []), url];
  const cpu = process.cpuUsage();
  const { stdout: out } = await promisify(execFile)('wrk', args, { encoding: 'utf8' });
  const used = process.cpuUsage(cpu);
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const ms = p99 ? Number(p99[1]) * ({ us: 0.001, ms: 1, s: 1000 } as const)[p99[2] as 'us' | 'ms' | 's'] : NaN;
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  if (errors) throw new Error(`${errors} failed responses from ${url}`);
  return { rate, p99: ms, cpuPerRequest: (used.user + used.system) / requests };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function signIn(saldo: Saldo, origin: string, externalRef: string) {
  const link = await saldo.customers.handoffLink(externalRef, undefined, 3600);
  const handoff = await fetch(origin + link.url, { redirect: 'manual' });
  return handoff.headers.get('set-cookie')!.split(';')[0]!;
}

async function main() {
  ensureWrk();
  const admin = postgres({ host: server.hostname, port: Number(server.port || 5432), user: server.username || 'postgres', database: server.pathname.slice(1) || 'postgres', onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${benchDb}`);
  await admin.unsafe(`CREATE DATABASE ${benchDb}`);
  const url = new URL(server);
  url.pathname = `/${benchDb}`;
  let saldo: Saldo | undefined;
  try {
    const config = loadConfig({ env: {}, overrides: { database: { url: url.toString(), poolSize: 10 } } });
    saldo = await createSaldo(config, { database: await openDatabase({ ...config.database, url: url.toString() }) });
    await seedDemo(saldo);
    const refs: string[] = [];
    for (let i = 0; i < customers; i++) {
      const account = await saldo.accounts.create({ externalRef: `bench-${i}`, name: `Client ${i}`, email: `c${i}@example.com`, country: 'FR', locale: (['fr', 'en', 'es'] as const)[i % 3] });
      for (let n = 0; n < 25; n++) {
        await saldo.wallets.topUp(account.id, money(1_000n + BigInt(n), 'EUR'), { idempotencyKey: `t${n}`, description: `Top-up ${n}` });
      }
      refs.push(account.externalRef);
    }

    const host = new Hono();
    host.get('/bare', (c) => c.html('<!doctype html><title>ok</title><p>ok</p>'));
    // The balance page's own bytes and headers, sent as they are: what the response alone costs.
    let sent: { body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } | undefined;
    host.get('/sent', () => new Response(sent!.body, { headers: sent!.headers }));
    host.route('/billing', saldo.app);
    const http = serve({ fetch: host.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => http.once('listening', resolve));
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const cookie = await signIn(saldo, origin, 'demo-prepaid');
    const check = await fetch(`${origin}/billing/balance`, { headers: { cookie } });
    const body = new Uint8Array(await check.arrayBuffer());
    if (check.status !== 200 || !Buffer.from(body).toString().includes('Atelier Dupont')) throw new Error('the balance page did not render');
    sent = { body, headers: Object.fromEntries([...check.headers].filter(([name]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(name))) };
    const cookies = await Promise.all(refs.map((ref) => signIn(saldo!, origin, ref)));
    const script = join(tmpdir(), `saldo-bench-${process.pid}.lua`);
    writeFileSync(script, `local cookies = {${cookies.map((c) => JSON.stringify(c)).join(',')}}
local i = math.random(#cookies)
request = function()
  i = i % #cookies + 1
  wrk.headers["Cookie"] = cookies[i]
  return wrk.format(nil)
end
`);

    // Each request a page not seen before (an address of its own), so each is read in full and
    // rendered: the first view after a change.
    const fresh = join(tmpdir(), `saldo-bench-fresh-${process.pid}.lua`);
    writeFileSync(fresh, `local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/billing/balance?view=" .. id .. "-" .. n)
end
`);

    const cases = {
      bare: () => wrk(`${origin}/bare`),
      page: () => wrk(`${origin}/billing/balance`, { headers: [`Cookie: ${cookie}`] }),
      many: () => wrk(`${origin}/billing/balance`, { script }),
      fresh: () => wrk(`${origin}/billing/balance`, { headers: [`Cookie: ${cookie}`], script: fresh }),
      sent: () => wrk(`${origin}/sent`),
    };
    // Warm-up: JIT, prepared statements, the history rows each customer's page renders.
    await wrk(`${origin}/bare`, { seconds: 2 });
    await wrk(`${origin}/billing/balance`, { headers: [`Cookie: ${cookie}`], seconds: 2 });
    await wrk(`${origin}/billing/balance`, { script, seconds: 3 });

    const results: { bare: Run; sent: Run; page: Run; many: Run; fresh: Run }[] = [];
    for (let r = 0; r < rounds; r++) {
      const bare = await cases.bare();
      const page = await cases.page();
      const many = await cases.many();
      const fresh = await cases.fresh();
      const sent = await cases.sent();
      results.push({ bare, sent, page, many, fresh });
    }
    http.close();

    const line = (name: string, run: Run, ratio: string) =>
      `${name.padEnd(34)}${run.rate.toFixed(0).padStart(10)}  ${run.p99.toFixed(2).padStart(8)}  ${run.cpuPerRequest.toFixed(0).padStart(10)}   ${ratio}`;
    console.log(`PostgreSQL ${(await admin`SHOW server_version`)[0]!.server_version}; wrk, ${connections} connections, ${seconds} s a case, ${rounds} rounds\n`);
    console.log(`${'case'.padEnd(34)}requests/s    p99 ms  CPU µs/req   ratio`);
    results.forEach(({ bare, sent, page, many, fresh }, r) => {
      console.log(line(`round ${r + 1}: bare Hono handler`, bare, '1.00'));
      console.log(line(`round ${r + 1}: balance page (demo, fr)`, page, (page.rate / bare.rate).toFixed(2)));
      console.log(line(`round ${r + 1}: balance page, ${customers} customers`, many, (many.rate / bare.rate).toFixed(2)));
      console.log(line(`round ${r + 1}: balance page, first views`, fresh, (fresh.rate / bare.rate).toFixed(2)));
      console.log(line(`round ${r + 1}: its bytes, sent as they are`, sent, (sent.rate / bare.rate).toFixed(2)));
    });
    const ratio = median(results.map(({ bare, page }) => page.rate / bare.rate));
    const manyRatio = median(results.map(({ bare, many }) => many.rate / bare.rate));
    const p99 = median(results.map(({ page }) => page.p99));
    console.log(`\nmedian ratio ${ratio.toFixed(2)}× (target ≥ 0.20×), p99 ${p99.toFixed(2)} ms (target < 10 ms); ` +
      `${customers} customers: ${manyRatio.toFixed(2)}×, p99 ${median(results.map(({ many }) => many.p99)).toFixed(2)} ms; ` +
      `first views: ${median(results.map(({ bare, fresh }) => fresh.rate / bare.rate)).toFixed(2)}×; ` +
      `the page's bytes alone: ${median(results.map(({ bare, sent }) => sent.rate / bare.rate)).toFixed(2)}×`);
    await admin.end();
  } finally {
    await saldo?.stop();
    await postgres({ host: server.hostname, port: Number(server.port || 5432), user: server.username || 'postgres', database: 'postgres', onnotice: () => {} })
      .unsafe(`DROP DATABASE IF EXISTS ${benchDb} WITH (FORCE)`).catch(() => {});
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
