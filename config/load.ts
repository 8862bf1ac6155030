import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { BillingError } from '../core/errors.js';
import { configSchema, type SaldoConfig } from './schema.js';

/** The project root: built-in plugin paths (`./plugins/...`) are relative to it. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Environment variables read, and the field each one sets. */
const envFields: Record<string, string> = {
  DATABASE_URL: 'database.url',
  PORT: 'server.port',
  HOST: 'server.host',
  SALDO_DATA_DIR: 'database.dataDir',
  SALDO_DB_SCHEMA: 'database.schema',
  SALDO_PUBLIC_URL: 'server.publicUrl',
  SALDO_BASE_PATH: 'server.basePath',
  SALDO_DEFAULT_CURRENCY: 'billing.defaultCurrency',
  SALDO_DEFAULT_LOCALE: 'billing.defaultLocale',
  SALDO_BALANCE_RENEWALS: 'billing.balanceRenewals',
  SALDO_API_KEYS: 'secrets.apiKeys',
  SALDO_SESSION_SECRET: 'secrets.sessionSecret',
  SALDO_PANEL_URL: 'branding.panelUrl',
  SALDO_TRUSTED_PROXIES: 'server.trustedProxy.addresses',
  SALDO_TRUSTED_PROXY_SECRET: 'server.trustedProxy.secret',
};

/** Fields an environment variable sets as a comma-separated list. */
const listFields = new Set(['secrets.apiKeys', 'server.trustedProxy.addresses']);

type Tree = { [key: string]: unknown };

function setPath(target: Tree, path: string, value: unknown) {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys.at(-1)!] = value;
}

function describe(issue: z.core.$ZodIssue, sources: Map<string, string>): string {
  const field = issue.path.join('.') || '(root)';
  const source = sources.get(field);
  return `  ${field}: ${issue.message}${source ? ` (from ${source})` : ''}`;
}

export interface LoadOptions {
  /** Environment to read; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Values that win over the file and the environment (tests, embedding code). */
  overrides?: Tree;
}

/**
 * Builds the configuration: schema defaults, then the JSON file named by `SALDO_CONFIG`, then the
 * environment variables above, then `overrides`. A wrong value stops start-up with CONFIG_INVALID
 * naming each field, what was expected, and where the value came from.
 */
export function loadConfig({ env = process.env, overrides = {} }: LoadOptions = {}): SaldoConfig {
  const raw: Tree = {};
  const sources = new Map<string, string>();

  const file = env.SALDO_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(resolve(file), 'utf8'));
    } catch (error) {
      throw new BillingError('CONFIG_FILE_UNREADABLE', { path: file, reason: (error as Error).message });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new BillingError('CONFIG_FILE_UNREADABLE', { path: file, reason: 'expected a JSON object' });
    }
    Object.assign(raw, parsed);
  }

  for (const [name, field] of Object.entries(envFields)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, field, listFields.has(field) ? value.split(',').map((k) => k.trim()) : value);
    sources.set(field, `environment variable ${name}`);
  }
  for (const [field, value] of Object.entries(flatten(overrides))) setPath(raw, field, value);

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const details = result.error.issues.map((issue) => describe(issue, sources)).join('\n');
    throw new BillingError('CONFIG_INVALID', { details });
  }
  return result.data;
}

function flatten(tree: Tree, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, flatten(value as Tree, path));
    else out[path] = value;
  }
  return out;
}
