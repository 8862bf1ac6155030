import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { onEachDatabase } from '../support/databases.js';
import { browsing, pagesSuite, signedInAs } from '../support/pages.js';

type Locale = 'en' | 'fr' | 'es';
const notFound = { en: 'This page does not exist.', fr: 'Cette page n’existe pas.', es: 'Esta página no existe.' };
const menu = { en: 'Add money to your balance', fr: 'Approvisionner votre solde', es: 'Añadir saldo' };
const html = (language: string) => ({ accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-language': language });

onEachDatabase((_sql, _target, database) => {
  describe('the module’s addresses for a browser', () => {
    const suite = pagesSuite(database, { branding: { primaryColor: '#0a7d4f' } });
    const request = (path: string, headers: Record<string, string> = {}) => browsing(suite.host()).request(path, headers);

    async function signedIn(locale: Locale) {
      const account = await suite.saldo().accounts.create({ externalRef: `addr-${randomUUID()}`, name: 'Client', email: 'c@example.com', country: 'FR', locale });
      return (await signedInAs(suite.saldo(), suite.host(), account.externalRef)).cookie!;
    }

    it('leads from the printed address to the balance when signed in, to the sign-in page otherwise', async () => {
      const cookie = await signedIn('es');
      for (const path of ['/billing', '/billing/']) {
        const res = await request(path, { cookie });
        expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/billing/balance']);
      }
      expect(await (await request('/billing/balance', { cookie })).text()).toContain('<h1>Saldo</h1>');
      const signedOut = await request('/billing/balance', html('fr'));
      expect(signedOut.status).toBe(401);
      expect(await signedOut.text()).toContain('<h1>Veuillez vous connecter</h1>');
    });

    it('serves an icon in the provider’s colour under the module, linked from every page', async () => {
      const cookie = await signedIn('en');
      for (const page of [await request('/billing/balance', { cookie }), await request('/billing/nowhere', html('en')), await request('/billing/balance', html('en'))]) {
        expect(await page.text()).toContain('<link rel="icon" href="/billing/assets/icon-0a7d4f.svg" type="image/svg+xml">');
      }
      const icon = await request('/billing/assets/icon-0a7d4f.svg');
      expect([icon.status, icon.headers.get('content-type'), icon.headers.get('cache-control')]).toEqual([200, 'image/svg+xml', 'public, max-age=31536000, immutable']);
      expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg".*fill="#0a7d4f"/);
    });

    for (const locale of ['en', 'fr', 'es'] as const) {
      it(`shows a signed-in customer the 404 page in their language, with their menu, at every unknown address (${locale})`, async () => {
        const cookie = await signedIn(locale);
        const browser = locale === 'en' ? 'fr' : 'en'; // the browser asks for another language: the account's wins
        for (const path of ['/billing/nowhere', '/billing/top-up/x', '/billing/settings/x', '/billing/gateways/x', '/billing/balance/x', '/billing/pay/x', '/billing/lang/de', '/billing/assets/x.css']) {
          const res = await request(path, { cookie, ...html(browser) });
          const body = await res.text();
          expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 404, 'text/html; charset=UTF-8']);
          expect([path, body]).toEqual([path, expect.stringContaining(`<html lang="${locale}">`)]);
          expect(body).toContain(`<h1>${notFound[locale]}</h1>`);
          expect(body).toContain(menu[locale]);
        }
        // Without a session: the browser's language, and no menu.
        const anonymous = await (await request('/billing/nowhere', html(locale))).text();
        expect(anonymous).toContain(`<h1>${notFound[locale]}</h1>`);
        expect(anonymous).not.toContain(menu[locale]);
      });
    }

    it('switches language from any page back to the same page with its query, error pages included', async () => {
      const cookie = await signedIn('fr');
      const pages = ['/billing/balance?from=2026-01-01&to=2026-01-31', '/billing/balance?before=42', '/billing/settings?saved=card', '/billing/nowhere?x=1', '/billing/top-up'];
      for (const path of pages) {
        const page = await (await request(path, { cookie, ...html('fr') })).text();
        const link = /<a href="([^"]+)" lang="es"/.exec(page)![1]!.replace(/&amp;/g, '&');
        expect(link).toBe(`/billing/lang/es?back=${encodeURIComponent(path)}`);
        const res = await request(link, { cookie });
        expect([res.status, res.headers.get('location')]).toEqual([303, path]);
        const spanish = await (await request(path, { ...html('fr'), cookie: `${cookie}; ${res.headers.get('set-cookie')!.split(';')[0]}` })).text();
        expect(spanish).toContain('<html lang="es">');
      }
      // A page a post shows comes back as the page the post came from, never as the post's address.
      const form = await (await request('/billing/settings', { cookie })).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
      const customer = browsing(suite.host(), cookie);
      const refused = await customer.post('/billing/settings/auto-top-up', { _csrf: csrf, threshold: 'abc', amount: '5' });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain(`/billing/lang/es?back=${encodeURIComponent('/billing/settings')}`);
      const forged = await customer.post('/billing/top-up', { _csrf: 'forged' }, { referer: 'http://billing.example/billing/top-up?x=1' });
      expect(forged.status).toBe(403);
      expect(await forged.text()).toContain(`/billing/lang/es?back=${encodeURIComponent('/billing/top-up?x=1')}`);
    });
  });
});
