// One-time journal linking codes (R-L5): what a school admin or class teacher hands to one journal
// person. Twelve Crockford base32 symbols (60 bits) in three groups of four: easy to read out and
// type, and with the per-code attempt limit far out of reach of guessing.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const LINKING_CODE_SYMBOLS = 12;

/** The code for 12 random bytes (only the low five bits of each are used). */
export function linkingCodeFrom(bytes: Uint8Array): string {
  if (bytes.length < LINKING_CODE_SYMBOLS) throw new Error(`a linking code needs ${LINKING_CODE_SYMBOLS} random bytes`);
  const symbols = Array.from(bytes.slice(0, LINKING_CODE_SYMBOLS), (b) => ALPHABET[b & 31]!).join('');
  return `${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8)}`;
}

/**
 * The code as typed → its canonical form, or undefined when it cannot be a code. Case, spaces and
 * dashes do not matter, and the letters people confuse with digits (O, I, L) read as those digits.
 */
export function normaliseLinkingCode(typed: string): string | undefined {
  const plain = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (plain.length !== LINKING_CODE_SYMBOLS || [...plain].some((c) => !ALPHABET.includes(c))) return undefined;
  return `${plain.slice(0, 4)}-${plain.slice(4, 8)}-${plain.slice(8)}`;
}
