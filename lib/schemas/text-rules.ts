// Character rules shared by several schemas (client and server); pure data.

/**
 * Bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/F
 * marks) and zero-width characters (U+200B–U+200D, U+2060, U+FEFF): invisible in a list, they make a
 * name read as something it is not ("disk\u202Egpj.exe" shows as "diskexe.jpg").
 */
export const INVISIBLE_OR_BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u200B-\u200D\u2060\uFEFF]/u;

export const INVISIBLE_OR_BIDI_MESSAGE =
  'A name may not contain invisible or text-direction characters (such as right-to-left override or zero-width space).';

/**
 * An absolute, normalized folder of safe characters only: the driver pastes it unquoted into shell
 * lines on the hosts, so no shell syntax, no spaces, no "." or ".." segments, no empty segment.
 */
export const SAFE_ABSOLUTE_FOLDER = /^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._-]+)+$/;
