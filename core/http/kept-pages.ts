import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { fragmentWanted, type MadePage, type PageEnv, pageResponse } from './render.js';

interface Kept {
  /** The version of the data the page was made from, and the language it was made in. */
  version: string;
  locale: string;
  body: Uint8Array<ArrayBuffer>;
  status: ContentfulStatusCode;
}

const encoder = new TextEncoder();

/**
 * Pages kept as the bytes they were sent as, for a page made from one read of the database alone
 * (the balance page, from its account overview): a page whose data has not changed since the
 * customer last saw it is sent again without being read in full, rendered and encoded once more,
 * which is most of a page view's work. Each use checks the kept page against the version of its
 * data just read, so a change made anywhere (another instance, the API) shows on the next view.
 * One page is kept per session, kind (whole or htmx's part) and address, in the language it was
 * last made in; bounded by size, the least recently sent go first.
 */
export class KeptPages {
  private readonly pages = new Map<string, Kept>();
  private bytes = 0;
  constructor(private readonly maxBytes = 32 * 2 ** 20) {}

  /**
   * The page `c` asks for: as kept, when it was made in this request's language from data at the
   * version `version()` reads now; else as `make` reads and renders it, with the version of the
   * data it read. With nothing kept for the address, no version is read.
   */
  async respond(c: Context<PageEnv>, version: () => Promise<string>, make: () => Promise<MadePage & { version: string }>): Promise<Response> {
    const key = keyOf(c);
    let kept = this.pages.get(key);
    // The version read settles the request's language (an account's own, unless one was chosen).
    if (kept && kept.version === (await version()) && kept.locale === c.get('locale')) {
      this.pages.delete(key);
      this.pages.set(key, kept);
    } else {
      const page = await make();
      kept = { version: page.version, locale: c.get('locale'), body: encoder.encode(page.html) as Uint8Array<ArrayBuffer>, status: page.status };
      this.keep(key, kept);
    }
    return pageResponse(c, kept.body, kept.status);
  }

  private keep(key: string, page: Kept) {
    this.forget(key);
    this.pages.set(key, page);
    this.bytes += page.body.byteLength;
    for (const oldest of this.pages.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  private forget(key: string) {
    const page = this.pages.get(key);
    if (!page) return;
    this.pages.delete(key);
    this.bytes -= page.body.byteLength;
  }
}

// Everything besides the data and the language that a page is made for.
const keyOf = (c: Context<PageEnv>) => `${c.get('csrf')}|${fragmentWanted(c)}|${c.req.url}`;
