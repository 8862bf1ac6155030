import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config/load.js';
import { errorCatalogue } from '../core/errors.js';

type Tree = { [key: string]: string | Tree };
const flat = (tree: Tree, prefix = ''): string[] =>
  Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : flat(v, `${prefix}${k}.`)));
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

/** Every locale file of Saldo and of its plugins, grouped as { namespace: { lng: file } }. */
function localeFiles(): Map<string, Map<string, string>> {
  const groups = new Map<string, Map<string, string>>();
  const add = (ns: string, lng: string, file: string) => {
    if (!groups.has(ns)) groups.set(ns, new Map());
    groups.get(ns)!.set(lng, file);
  };
  for (const lng of readdirSync(join(projectRoot, 'locales'))) {
    for (const f of readdirSync(join(projectRoot, 'locales', lng))) add(`locales/*/${f}`, lng, join(projectRoot, 'locales', lng, f));
  }
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\/locales\/(en|fr|es)\.json$/.test(path)) add(relative(projectRoot, path).replace(/(en|fr|es)\.json$/, '*.json'), entry.name.slice(0, 2), path);
    }
  };
  walk(join(projectRoot, 'plugins'));
  walk(join(projectRoot, 'examples'));
  return groups;
}

describe('translations', () => {
  const groups = localeFiles();

  it('exist in English, French and Spanish for every namespace', () => {
    for (const [ns, files] of groups) expect([ns, [...files.keys()].sort()]).toEqual([ns, ['en', 'es', 'fr']]);
  });

  it('have every key in all three languages, with the same placeholders', () => {
    for (const [ns, files] of groups) {
      const trees = Object.fromEntries([...files].map(([lng, f]) => [lng, JSON.parse(readFileSync(f, 'utf8')) as Tree]));
      const keys = flat(trees.en!).sort();
      const bases = (tree: Tree) => [...new Set(flat(tree).map(base))].sort();
      for (const lng of ['fr', 'es']) {
        // Plural forms differ by language (French and Spanish also have _many): compare base keys…
        expect([ns, lng, bases(trees[lng]!)]).toEqual([ns, lng, bases(trees.en!)]);
        // …and require every form the language's plural rules use, or i18next shows the bare key.
        const forms = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
        for (const plural of new Set(keys.filter((k) => k !== base(k)).map(base))) {
          for (const form of forms) expect([ns, lng, flat(trees[lng]!).includes(`${plural}_${form}`)]).toEqual([ns, lng, true]);
        }
        for (const key of keys.map((k) => (k === base(k) ? k : `${base(k)}_other`))) {
          const get = (t: Tree) => key.split('.').reduce<string | Tree>((node, k) => (node as Tree)[k]!, t) as string;
          expect([ns, lng, key, placeholders(get(trees[lng]!))]).toEqual([ns, lng, key, placeholders(get(trees.en!))]);
        }
      }
    }
  });

  it('follow French typography: a narrow no-break space (U+202F) before : ; ! ? and inside « »', () => {
    const NNBSP = '\u202f';
    const faults: string[] = [];
    for (const [ns, files] of groups) {
      if (!ns.startsWith('locales/')) continue; // the core's strings; plugins keep their authors' own
      const tree = JSON.parse(readFileSync(files.get('fr')!, 'utf8')) as Tree;
      for (const key of flat(tree)) {
        const text = key.split('.').reduce<string | Tree>((node, k) => (node as Tree)[k]!, tree) as string;
        // A colon inside an address (https://) is not punctuation.
        const marks = [...text.matchAll(/[:;!?»]/g)].filter((m) => !(m[0] === ':' && text.startsWith('//', m.index + 1)));
        for (const m of marks) if (text[m.index - 1] !== NNBSP) faults.push(`${ns} ${key}: “${text.slice(Math.max(0, m.index - 12), m.index + 1)}”`);
        for (const m of text.matchAll(/«/g)) if (text[m.index + 1] !== NNBSP) faults.push(`${ns} ${key}: “${text.slice(m.index, m.index + 12)}”`);
      }
    }
    expect(faults).toEqual([]);
  });

  it('cover every error code of the catalogue', () => {
    const en = JSON.parse(readFileSync(join(projectRoot, 'locales/en/errors.json'), 'utf8'));
    expect(Object.keys(errorCatalogue).filter((code) => !(code in en))).toEqual([]);
  });
});
