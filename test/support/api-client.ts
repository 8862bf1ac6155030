import { randomUUID } from 'node:crypto';
import { beforeAll } from 'vitest';
import type { Database } from '../../core/db/connect.js';
import type { Saldo } from '../../core/saldo.js';
import { API_KEY, testSaldo } from './saldo.js';

export interface CallOptions {
  /** The Idempotency-Key of a POST: a fresh one by default, none with null. */
  key?: string | null;
  /** Other headers (Accept-Language, another Authorization). */
  headers?: Record<string, string>;
}

/** The host panel's side of the JSON API, through `app.request()`: paths below /api/v1, the test API key. */
export function apiClient(saldo: () => Saldo) {
  const call = (method: string, path: string, body: unknown, { key, headers = {} }: CallOptions = {}) =>
    saldo().app.request(`/api/v1${path}`, {
      method,
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${API_KEY}`,
        ...(method === 'POST' && key !== null && { 'idempotency-key': key ?? randomUUID() }),
        ...headers,
      },
    });
  return {
    get: (path: string, options?: CallOptions) => call('GET', path, undefined, options),
    post: (path: string, body: unknown, options?: CallOptions) => call('POST', path, body, options),
    patch: (path: string, body: unknown, options?: CallOptions) => call('PATCH', path, body, options),
    put: (path: string, body: unknown, options?: CallOptions) => call('PUT', path, body, options),
  };
}

/** Status and body of an answer, to compare in one expectation. */
export const answer = async (res: Response) => [res.status, await res.json()] as const;

/** A Saldo on the suite's database, built before its tests, and the panel's client for it. */
export function apiSuite(database: () => Database) {
  let built: Saldo;
  beforeAll(async () => {
    built = await testSaldo(database());
  });
  const saldo = () => built;
  return { saldo, api: apiClient(saldo) };
}
