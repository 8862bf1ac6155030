import { Hono } from 'hono';
import type { Services } from '../../services.js';
import { limitBody } from '../body-limit.js';
import { accountRoutes } from './accounts.js';
import { requireApiKey } from './api-key.js';
import { catalogueRoutes } from './catalogue.js';
import { idempotentPosts } from './idempotency.js';
import { jsonBodies } from './json.js';
import { orderRoutes } from './orders.js';
import { walletRoutes } from './wallets.js';

/**
 * The host panel's JSON API (server to server): API key on every call, Idempotency-Key on every
 * POST. A body too large or not JSON is refused before its Idempotency-Key is recorded, so the
 * corrected request may be sent again under the same key.
 */
export function apiRoutes(services: Services): Hono {
  const api = new Hono();
  api.use('*', requireApiKey(services.config.secrets.apiKeys));
  api.use('*', limitBody(services.config.limits, 'json'));
  api.use('*', jsonBodies);
  api.use('*', idempotentPosts(services.sql, services.keyLocks));
  api.route('/accounts', accountRoutes(services));
  api.route('/accounts', orderRoutes(services));
  api.route('/accounts', walletRoutes(services));
  api.route('/catalogue', catalogueRoutes(services));
  return api;
}
