import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../config/load.js';
import type { GatewayPlugin } from '@saldo/sdk';
import { createI18n } from '../core/i18n.js';
import { gatewayContext } from '../core/payments/gateways.js';
import { type LoadedPlugin, loadPlugins } from '../core/plugin-host/loader.js';

const sdkDir = join(projectRoot, 'core', 'plugin');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every module a file imports or re-exports, type-only imports included, as written. */
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);

/** A relative specifier of `from` as the file it names (`./x.js` → `x.ts`). */
const fileOf = (from: string, specifier: string) => resolve(dirname(from), specifier.replace(/\.js$/, '.ts'));

describe('the code’s shape', () => {
  it('keeps the SDK self-contained: its files import only each other, Node and zod', () => {
    const outside = sourceFiles(sdkDir).flatMap((file) =>
      importsOf(file)
        .filter((spec) => (spec.startsWith('.') ? !fileOf(file, spec).startsWith(`${sdkDir}/`) : !spec.startsWith('node:') && spec !== 'zod'))
        .map((spec) => `${relative(projectRoot, file)} → ${spec}`));
    expect(outside).toEqual([]);
  });

  it('builds the example third-party gateway on the SDK alone: its files import only each other, Node and @saldo/sdk', () => {
    const acmeDir = join(projectRoot, 'examples', 'saldo-gateway-acme');
    const outside = sourceFiles(acmeDir).flatMap((file) =>
      importsOf(file)
        .filter((spec) => (spec.startsWith('.') ? !fileOf(file, spec).startsWith(`${acmeDir}/`) : !spec.startsWith('node:') && spec !== '@saldo/sdk'))
        .map((spec) => `${relative(projectRoot, file)} → ${spec}`));
    expect(outside).toEqual([]);
  });

  it('has no import cycle in the core', () => {
    const files = sourceFiles(join(projectRoot, 'core'));
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((s) => s.startsWith('.')).map((s) => fileOf(f, s)).filter((t) => files.includes(t))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(projectRoot, f)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});

describe('the SDK as a published package', () => {
  const work = mkdtempSync(join(tmpdir(), 'saldo-sdk-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs, installs into a third party’s plugin by itself, and the plugin loads', async () => {
    const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], sdkDir)) as { filename: string; files: { path: string }[] }[];
    expect(packed!.files.map((f) => f.path)).toEqual(expect.arrayContaining(['index.ts', 'money/money.ts', 'package.json']));
    expect(packed!.files.map((f) => f.path).filter((p) => p.endsWith('.test.ts'))).toEqual([]);

    // The example plugin, as its author has it: its own folder, the SDK from the packed file.
    const plugin = join(work, 'saldo-gateway-example');
    cpSync(join(projectRoot, 'test', 'plugins', 'saldo-gateway-example'), plugin, { recursive: true });
    writeFileSync(join(plugin, 'package.json'), JSON.stringify({
      ...JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8')), dependencies: { '@saldo/sdk': `file:${join(work, packed!.filename)}` },
    }));
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], plugin);
    const installed = join(plugin, 'node_modules', '@saldo', 'sdk');
    expect(existsSync(join(installed, 'money', 'allocate.ts'))).toBe(true);
    expect(statSync(installed).isSymbolicLink?.() ?? false).toBe(false);

    const [loaded] = await loadPlugins([{ module: plugin, options: { merchantId: 'm_1' } }], projectRoot);
    expect(loaded!.plugin).toMatchObject({ kind: 'gateway', code: 'example-pay' });
    const gateway = loaded!.plugin as GatewayPlugin;
    const { money } = (await import(join(installed, 'index.ts'))) as typeof import('@saldo/sdk');
    const outcome = await gateway.createPayment(
      gatewayContext(loaded as LoadedPlugin<GatewayPlugin>, (() => []) as never, await createI18n([])),
      { paymentId: 'p1', amount: money(2_500n, 'EUR'), customerNumber: 'C10017', description: 'Top-up', returnUrl: 'http://x', gatewayUrl: 'http://x/gateways/example-pay', locale: 'en' },
    );
    expect(outcome).toEqual({ status: 'succeeded', reference: 'm_1:p1', amount: { amount: 2_500n, currency: 'EUR' } });
  }, 120_000);
});
