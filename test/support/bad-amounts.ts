/** One amount the API must refuse (TESTS #15), and the answer it gives in French and Spanish. */
export interface BadAmount {
  input: unknown;
  code: string;
  fr: string;
  es: string;
}

const invalid = (input: string): BadAmount => ({
  input, code: 'AMOUNT_INVALID', fr: `«\u202f${input}\u202f» n’est pas un montant. Écrivez-le comme 12.50.`, es: `«${input}» no es un importe. Escríbalo como 12.50.`,
});
const notAString = (input: unknown, field: string): BadAmount => ({
  input, code: 'VALIDATION_FAILED', fr: `Certains champs ne sont pas valides\u202f: ${field}.`, es: `Algunos campos no son válidos: ${field}.`,
});

/**
 * Negative, zero, NaN, 1e309, "1,5", beyond int64, too many decimals, not a string at all: every
 * one answered 422 with its own code. `field` is the body field the amount travels in. Zero is
 * left out where it is a value, not a movement (a credit limit).
 */
export function badAmounts(field: string, { zeroIsValid = false } = {}): BadAmount[] {
  return [
    { input: '-5.00', code: 'AMOUNT_NEGATIVE', fr: 'Le montant ne peut pas être négatif.', es: 'El importe no puede ser negativo.' },
    ...(zeroIsValid ? [] : ['0', '0.00'].map((input) => ({
      input, code: 'AMOUNT_NOT_POSITIVE', fr: 'Le montant doit être supérieur à zéro.', es: 'El importe debe ser mayor que cero.',
    }))),
    invalid('NaN'),
    invalid('1e309'),
    invalid('1,5'),
    ...['9223372036854775808', '92233720368547758.08'].map((input) => ({
      input, code: 'AMOUNT_OUT_OF_RANGE', fr: 'Le montant est trop élevé.', es: 'El importe es demasiado grande.',
    })),
    { input: '1.001', code: 'AMOUNT_TOO_PRECISE', fr: 'Les montants en EUR ont au plus 2 décimales.', es: 'Los importes en EUR tienen como máximo 2 decimales.' },
    notAString(12.5, field),
    notAString(null, field),
  ];
}
