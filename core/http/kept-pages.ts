import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { fragmentWanted, type MadePage, type PageEnv, pageResponse } from './render.js';

/**
 * Pages kept as the bytes they were sent as, for a page made from one read of the database alone
 * (the balance page, from its account overview): a page whose data has not changed since the
 * customer last saw it is sent again without being read in full, rendered and encoded once more,
 * which is most of a page view's work. Each use checks the kept page against the version of its
 * data just read, so a change made anywhere (another instance, the API) shows on the next view.
 * One page is kept per session, language, kind (whole or htmx's part) and address; bounded, the
 * oldest go first.
 */
export class KeptPages {
  private readonly pages = new Map<string, { version: string; body: Uint8Array<ArrayBuffer>; status: ContentfulStatusCode }>();
  constructor(private readonly max = 2_000) {}

  /**
   * The page `c` asks for, as kept if it was made from data at `version`; else as `make` reads
   * and renders it now, with the version of the data it read (which may be newer).
   */
  async respond(c: Context<PageEnv>, version: string, make: () => Promise<MadePage & { version: string }>): Promise<Response> {
    let kept = this.pages.get(keyOf(c));
    if (kept?.version !== version) {
      const page = await make();
      kept = { version: page.version, body: Buffer.from(page.html), status: page.status };
      // The page's own key: what it was rendered for (its language is settled by the read).
      const key = keyOf(c);
      this.pages.delete(key);
      if (this.pages.size >= this.max) this.pages.delete(this.pages.keys().next().value!);
      this.pages.set(key, kept);
    }
    return pageResponse(c, kept.body, kept.status);
  }
}

// Everything besides the data that a page is rendered for.
const keyOf = (c: Context<PageEnv>) => `${c.get('csrf')}|${c.get('locale')}|${fragmentWanted(c)}|${c.req.url}`;
