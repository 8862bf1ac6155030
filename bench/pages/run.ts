/**
 * Customer-page benchmark: the balance page of a seeded account, served on real PostgreSQL,
 * against a bare Hono handler on the same server in the same run, both loaded by wrk (a separate
 * process, 50 connections). Prints requests/s and p99 for each and the ratio.
 *
 *   npm run bench:pages            (DATABASE_URL defaults to the local server; installs wrk if missing)
 *   BENCH_SECONDS=20 npm run bench:pages
 */
import 'reflect-metadata';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';
import { loadConfig } from '../../config/load.js';
import { openDatabase } from '../../core/db/connect.js';
import { seedDemo } from '../../core/demo.js';
import { createSaldo, type Saldo } from '../../core/saldo.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 50;
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

/** Runs wrk against `url` (asynchronously: this process is the server); requests/s and p99 in ms. */
async function wrk(url: string, headers: string[] = []) {
  const args = ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  const { stdout: out } = await promisify(execFile)('wrk', args, { encoding: 'utf8' });
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const ms = p99 ? Number(p99[1]) * ({ us: 0.001, ms: 1, s: 1000 } as const)[p99[2] as 'us' | 'ms' | 's'] : NaN;
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  if (errors) throw new Error(`${errors} failed responses from ${url}`);
  return { rate, p99: ms };
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

    const host = new Hono();
    host.get('/bare', (c) => c.html('<!doctype html><title>ok</title><p>ok</p>'));
    host.route('/billing', saldo.app);
    const http = serve({ fetch: host.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => http.once('listening', resolve));
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const link = await saldo.customers.handoffLink('demo-prepaid', undefined, 600);
    const handoff = await fetch(origin + link.url, { redirect: 'manual' });
    const cookie = handoff.headers.get('set-cookie')!.split(';')[0]!;
    const check = await fetch(`${origin}/billing/balance`, { headers: { cookie } });
    if (check.status !== 200 || !(await check.text()).includes('Atelier Dupont')) throw new Error('the balance page did not render');

    const bare = await wrk(`${origin}/bare`);
    const page = await wrk(`${origin}/billing/balance`, [`Cookie: ${cookie}`]);
    http.close();

    console.log(`PostgreSQL ${(await admin`SHOW server_version`)[0]!.server_version}; wrk, ${connections} connections, ${seconds} s each\n`);
    console.log('case                       requests/s    p99 ms   ratio');
    console.log(`bare Hono handler          ${bare.rate.toFixed(0).padStart(10)}  ${bare.p99.toFixed(2).padStart(8)}    1.00`);
    console.log(`balance page (demo, fr)    ${page.rate.toFixed(0).padStart(10)}  ${page.p99.toFixed(2).padStart(8)}    ${(page.rate / bare.rate).toFixed(2)}`);
    console.log(`\nratio ${(page.rate / bare.rate).toFixed(2)}× (target ≥ 0.25×), p99 ${page.p99.toFixed(2)} ms (target < 10 ms)`);
    await admin.end();
  } finally {
    await saldo?.close();
    await postgres({ host: server.hostname, port: Number(server.port || 5432), user: server.username || 'postgres', database: 'postgres', onnotice: () => {} })
      .unsafe(`DROP DATABASE IF EXISTS ${benchDb} WITH (FORCE)`).catch(() => {});
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
