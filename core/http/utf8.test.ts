import { describe, expect, it } from 'vitest';
import { utf8 } from './utf8.js';

describe('utf8', () => {
  it('gives the same bytes as Buffer.from, whatever characters the text holds', () => {
    const text = `<p>Solde : 1\u202f234,56\u00a0€ — M’avertir… 🙂 \ud800 fin</p>`;
    expect(utf8(text)).toEqual(Buffer.from(text));
    expect(utf8('')).toEqual(Buffer.alloc(0));
  });

  it('gives each text bytes of its own, however many follow', () => {
    const first = utf8('€'.repeat(1000));
    const second = utf8('x'.repeat(3000));
    expect(first.toString()).toBe('€'.repeat(1000));
    expect(second.toString()).toBe('x'.repeat(3000));
  });

  it('encodes a text too long for its buffer whole', () => {
    const text = 'é€'.repeat(100_000);
    expect(utf8(text).toString()).toBe(text);
  });
});
