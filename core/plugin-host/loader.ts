import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { PluginEntry } from '../../config/schema.js';
import { BillingError } from '../errors.js';
import { type AnyPlugin, LOCALES, type Locale, type PluginKind, SUPPORTED_API_VERSIONS } from '@saldo/sdk';

/** A plugin ready for use: its definition, its validated options, and where it came from. */
export interface LoadedPlugin<P extends AnyPlugin = AnyPlugin> {
  plugin: P;
  config: unknown;
  /** The module specifier from the configuration, for error messages and logs. */
  source: string;
  /** Its own strings, from `locales/<lng>.json` beside it, by language. */
  translations: Partial<Record<Locale, Record<string, unknown>>>;
}

const isFunction = (value: unknown) => typeof value === 'function';
const hook = z.custom<(...args: never[]) => unknown>(isFunction, { message: 'expected a function' });

const shape = z.object({
  kind: z.enum(['payment-mode', 'gateway', 'discount']),
  code: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a lower-kebab-case code'),
  apiVersion: z.number().int().positive(),
  label: z.string().min(1),
  configSchema: z.custom<z.ZodType>((s) => isFunction((s as z.ZodType | undefined)?.safeParse), { message: 'expected a zod schema' }),
});

/** The hooks each kind must provide. */
const kindShape: Record<PluginKind, z.ZodType> = {
  'payment-mode': z.object({ invoiceStyle: z.enum(['statement', 'bill']), creditLimit: hook }),
  gateway: z.object({
    capabilities: z.object({
      topUp: z.boolean(), payDue: z.boolean().optional(), savedMethods: z.boolean().optional(),
      offSession: z.boolean().optional(), refunds: z.boolean().optional(),
    }),
    createPayment: hook,
    getPayment: hook,
    parseWebhook: hook.optional(),
    refund: hook.optional(),
    getRefund: hook.optional(),
    removeMethod: hook.optional(),
    migrations: z.string().optional(),
    views: z.string().optional(),
    routes: z.array(z.object({ method: z.enum(['GET', 'POST']), path: z.string().startsWith('/'), customerPage: z.boolean().optional(), handler: hook })).optional(),
    jobs: z.array(z.object({ name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/), schedule: z.string(), run: hook })).optional(),
  }).refine((g) => !g.capabilities.refunds || g.refund, { message: 'capabilities.refunds needs a refund hook', path: ['refund'] })
    .refine((g) => !g.capabilities.savedMethods || g.removeMethod, { message: 'capabilities.savedMethods needs a removeMethod hook', path: ['removeMethod'] }),
  discount: z.object({ priority: z.number().int(), adjust: hook }),
};

const issuesText = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');

/**
 * Where a module specifier points: a path (relative to `baseDir`) to a file, or a folder with a
 * package.json or an index file; anything else is an npm package name, resolved by Node.
 */
function resolveSpecifier(specifier: string, baseDir: string): string {
  if (!specifier.startsWith('.') && !isAbsolute(specifier)) return specifier;
  const path = resolve(baseDir, specifier);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const manifest = join(path, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown; main?: string };
      const entry = typeof pkg.exports === 'string' ? pkg.exports : ((pkg.exports as Record<string, string>)?.['.'] ?? pkg.main);
      if (entry) return pathToFileURL(join(path, entry)).href;
    }
    for (const index of ['index.ts', 'index.js']) {
      if (existsSync(join(path, index))) return pathToFileURL(join(path, index)).href;
    }
  }
  return pathToFileURL(path).href;
}

function readTranslations(moduleUrl: string): LoadedPlugin['translations'] {
  if (!moduleUrl.startsWith('file:')) return {};
  const dir = new URL('.', moduleUrl);
  const out: LoadedPlugin['translations'] = {};
  for (const lng of LOCALES) {
    const file = new URL(`locales/${lng}.json`, dir);
    if (existsSync(file)) out[lng] = JSON.parse(readFileSync(file, 'utf8'));
  }
  return out;
}

async function importPlugin(specifier: string, baseDir: string): Promise<{ module: unknown; url: string }> {
  let url = resolveSpecifier(specifier, baseDir);
  try {
    if (!url.startsWith('file:')) url = import.meta.resolve(url);
    return { module: await import(url), url };
  } catch (error) {
    throw new BillingError('PLUGIN_NOT_FOUND', { plugin: specifier, reason: (error as Error).message.split('\n')[0] }, { cause: error });
  }
}

/**
 * Loads the enabled plugins: imports each module, checks it is a Saldo plugin of a supported API
 * version, refuses two plugins of one kind with the same code, and validates the provider's
 * options with the plugin's own schema. Any failure stops boot with a coded error naming the
 * plugin. Built-in plugins come through here exactly like third-party packages.
 */
export async function loadPlugins(entries: readonly PluginEntry[], baseDir: string): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  const seen = new Map<string, string>();

  for (const entry of entries) {
    const { module, url } = await importPlugin(entry.module, baseDir);
    const candidate = (module as { default?: unknown; plugin?: unknown }).default ?? (module as { plugin?: unknown }).plugin;

    const base = shape.safeParse(candidate);
    if (!base.success) throw new BillingError('PLUGIN_INVALID', { plugin: entry.module, reason: issuesText(base.error) });
    const plugin = candidate as AnyPlugin;
    const hooks = kindShape[plugin.kind].safeParse(plugin);
    if (!hooks.success) throw new BillingError('PLUGIN_INVALID', { plugin: entry.module, reason: issuesText(hooks.error) });

    if (!SUPPORTED_API_VERSIONS.includes(plugin.apiVersion)) {
      throw new BillingError('PLUGIN_API_VERSION', { plugin: entry.module, wanted: plugin.apiVersion, supported: SUPPORTED_API_VERSIONS.join(', ') });
    }

    const id = `${plugin.kind}:${plugin.code}`;
    const first = seen.get(id);
    if (first) throw new BillingError('PLUGIN_DUPLICATE_CODE', { kind: plugin.kind, code: plugin.code, first, second: entry.module });
    seen.set(id, entry.module);

    const options = plugin.configSchema.safeParse(entry.options);
    if (!options.success) {
      throw new BillingError('PLUGIN_CONFIG_INVALID', { plugin: `${plugin.code} (${entry.module})`, details: issuesText(options.error) });
    }
    loaded.push({ plugin, config: options.data, source: entry.module, translations: readTranslations(url) });
  }
  return loaded;
}
