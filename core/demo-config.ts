import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SaldoConfig } from '../config/schema.js';

/**
 * The demo's API key, so the README's curl examples run against `npm start` as they are: made
 * once and kept beside the embedded database (readable by its owner only), so it survives a
 * restart like the data does.
 */
export function withDemoApiKey(config: SaldoConfig): { config: SaldoConfig; key: string; file?: string } {
  const dir = config.database.dataDir;
  const make = () => `demo_${randomBytes(24).toString('base64url')}`;
  if (dir.startsWith('memory://')) return { config: addKey(config, make()), key: '' };
  const file = join(dir, 'demo-api-key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${make()}\n`, { mode: 0o600 });
  }
  const key = readFileSync(file, 'utf8').trim();
  return { config: addKey(config, key), key, file };
}

/**
 * The demo takes cards through the sandbox processor (test cards, no real money) unless a card
 * gateway is configured. Only the demo: elsewhere a provider names its processor.
 */
export function withDemoCards(config: SaldoConfig): SaldoConfig {
  if (config.plugins.some((p) => p.module.endsWith('/gateways/card'))) return config;
  return { ...config, plugins: [...config.plugins, { module: './plugins/gateways/card', options: { processor: 'sandbox' } }] };
}

const addKey = (config: SaldoConfig, key: string): SaldoConfig => ({
  ...config, secrets: { ...config.secrets, apiKeys: [...config.secrets.apiKeys, key] },
});
