import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n } from 'i18next';
import { isLocale, LOCALES, type Locale } from '@saldo/sdk';
import type { LoadedPlugin } from './plugin-host/loader.js';

export const localesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'locales');

/** Reads `locales/<lng>/<namespace>.json`: one namespace per area (errors, balance, …). */
function readLocales(): Record<string, Record<string, Record<string, unknown>>> {
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const lng of LOCALES) {
    resources[lng] = {};
    for (const file of readdirSync(join(localesDir, lng)).filter((f) => f.endsWith('.json'))) {
      resources[lng][file.slice(0, -5)] = JSON.parse(readFileSync(join(localesDir, lng, file), 'utf8'));
    }
  }
  return resources;
}

/**
 * One i18next instance for the module: Saldo's namespaces plus each plugin's strings under the
 * plugin's code as namespace. Values are not escaped here — templates escape on output, and
 * escaping twice would show `&amp;` to customers.
 */
export async function createI18n(plugins: readonly LoadedPlugin[] = []): Promise<i18n> {
  const resources = readLocales();
  for (const { plugin, translations } of plugins) {
    for (const lng of LOCALES) if (translations[lng]) resources[lng]![plugin.code] = translations[lng]!;
  }
  const instance = i18next.createInstance();
  await instance.init({
    resources,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    ns: Object.keys(resources.en!),
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

/** The best of our languages for an `Accept-Language` header, by its q-values; English otherwise. */
export function negotiateLocale(header: string | undefined): Locale {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.toLowerCase().split('-')[0]!, q: q ? Number(q.slice(2)) || 0 : 1, index };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return (ranked.find((x) => isLocale(x.lang))?.lang as Locale | undefined) ?? 'en';
}
