/** The languages Saldo speaks, in the order they are offered. */
export const LOCALES = ['en', 'fr', 'es'] as const;

export type Locale = (typeof LOCALES)[number];

export const isLocale = (value: unknown): value is Locale => (LOCALES as readonly unknown[]).includes(value);

/**
 * The Intl tag each language formats with: amounts and dates as they are written in Great
 * Britain, France and Spain ("€1,234.56", "1 234,56 €", "1234,56 €").
 */
export const intlTag: Readonly<Record<Locale, string>> = { en: 'en-GB', fr: 'fr-FR', es: 'es-ES' };
