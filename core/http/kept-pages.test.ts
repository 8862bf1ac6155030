import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { KeptPages } from './kept-pages.js';
import type { PageEnv } from './render.js';

/**
 * A page whose data is `data.text` at `data.version`, for the session and language the request
 * names (as the customer pages' middleware would settle them); `made` counts the renders.
 */
function pageApp(maxBytes?: number) {
  // `seen`: the version the page's first read gives, when the data moves on before its second.
  const data: { version: string; text: string; seen?: string } = { version: 'v1', text: 'Solde : 10,00 €' };
  const made: string[] = [];
  const versionsRead: string[] = [];
  const kept = new KeptPages(maxBytes);
  const app = new Hono<PageEnv>();
  app.get('/balance', (c) => {
    c.set('csrf', c.req.header('x-session') ?? 'session-a');
    c.set('locale', c.req.header('x-lang') === 'es' ? 'es' : 'fr');
    const version = async () => {
      versionsRead.push(c.req.url);
      return data.seen ?? data.version;
    };
    return kept.respond(c, version, async () => {
      made.push(`${c.get('csrf')} ${c.get('locale')} ${c.req.url}`);
      return { html: `<p>${data.text} ${c.get('csrf')}</p>`, status: 200, version: data.version };
    });
  });
  const view = async (path = '/balance', headers: Record<string, string> = {}) => {
    const response = await app.request(`http://billing.example${path}`, { headers });
    return { text: await response.text(), language: response.headers.get('content-language') };
  };
  return { data, made, versionsRead, view };
}

describe('kept pages', () => {
  it('renders a page once while its data keeps the version it was made from', async () => {
    const { made, view } = pageApp();
    const first = await view();
    expect(await view()).toEqual(first);
    expect(first).toEqual({ text: '<p>Solde : 10,00 € session-a</p>', language: 'fr' });
    expect(made).toHaveLength(1);
  });

  it('renders it again, from the new data, as soon as the version read differs', async () => {
    const { data, made, view } = pageApp();
    await view();
    Object.assign(data, { version: 'v2', text: 'Solde : 25,00 €' });
    expect((await view()).text).toBe('<p>Solde : 25,00 € session-a</p>');
    expect(await view()).toEqual({ text: '<p>Solde : 25,00 € session-a</p>', language: 'fr' });
    expect(made).toHaveLength(2);
  });

  it('keeps a page under the version of the data it was made from, not the one read before it', async () => {
    const { data, made, view } = pageApp();
    Object.assign(data, { seen: 'v1', version: 'v2', text: 'Solde : 10,00 € with a hold' });
    await view();
    // Back at v1 (the hold released): the page made from v2's data is not v1's page.
    Object.assign(data, { seen: undefined, version: 'v1', text: 'Solde : 10,00 €' });
    expect((await view()).text).toBe('<p>Solde : 10,00 € session-a</p>');
    expect(made).toHaveLength(2);
  });

  it('keeps one page per session, address and kind (whole page or htmx’s part)', async () => {
    const { made, view } = pageApp();
    const variants: [string, Record<string, string>][] = [
      ['/balance', {}], ['/balance', { 'x-session': 'session-b' }], ['/balance?from=2026-11-01', {}], ['/balance', { 'hx-request': 'true' }],
    ];
    for (const [path, headers] of variants) await view(path, headers);
    for (const [path, headers] of variants) await view(path, headers);
    expect(made).toHaveLength(variants.length);
    expect((await view('/balance', { 'x-session': 'session-b' })).text).toContain('session-b');
  });

  it('sends a kept page only in the language it was made in', async () => {
    const { made, view } = pageApp();
    const languages = [await view(), await view('/balance', { 'x-lang': 'es' }), await view()].map((page) => page.language);
    expect(languages).toEqual(['fr', 'es', 'fr']);
    expect(made).toHaveLength(3);
  });

  it('reads no version for an address with nothing kept, and one for each view after', async () => {
    const { made, versionsRead, view } = pageApp();
    await view();
    await view();
    await view('/balance?from=2026-11-01');
    expect([made.length, versionsRead.length]).toEqual([2, 1]);
  });

  it('keeps pages up to the size it is given, the least recently sent going first', async () => {
    const { made, view } = pageApp(2 * Buffer.byteLength('<p>Solde : 10,00 € session-a</p>'));
    for (const page of [1, 2, 1, 3, 1, 2]) await view(`/balance?p=${page}`);
    // 3 pushes out 2 (1 was sent since), and 2 comes back in place of 3.
    expect(made.map((m) => m.split('p=')[1])).toEqual(['1', '2', '3', '2']);
  });
});
