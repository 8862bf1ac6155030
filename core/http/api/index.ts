import { Hono } from 'hono';
import type { Services } from '../../services.js';
import { accountRoutes } from './accounts.js';
import { requireApiKey } from './api-key.js';
import { catalogueRoutes } from './catalogue.js';
import { idempotentPosts } from './idempotency.js';
import { orderRoutes } from './orders.js';

/** The host panel's JSON API (server to server): API key on every call, Idempotency-Key on every POST. */
export function apiRoutes(services: Services): Hono {
  const api = new Hono();
  api.use('*', requireApiKey(services.config.secrets.apiKeys));
  api.use('*', idempotentPosts(services.sql, services.keyLocks));
  api.route('/accounts', accountRoutes(services));
  api.route('/accounts', orderRoutes(services));
  api.route('/catalogue', catalogueRoutes(services));
  return api;
}
