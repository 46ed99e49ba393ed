// The hostile-input corpus of the reliability suite (issue 12): strings an attacker, a confused admin
// or a broken client might send in any field, argument or route parameter. Every command-running
// payload creates the canary file, so "no command ran" is one `existsSync` away.
//
// Each base payload is used alone, after a valid value and before one: a validator that checks only
// a prefix (a missing `$` anchor) or only a suffix is caught, not just one that checks nothing.

/** Payloads that run `touch CANARY` if any shell, ssh option or restic flag ever interprets them. */
function commandPayloads(canary: string): string[] {
  const t = `touch ${canary}`;
  return [
    `; ${t}`,
    `;${t};`,
    `| ${t}`,
    `|| ${t}`,
    `&& ${t}`,
    `& ${t} &`,
    `$(${t})`,
    `\`${t}\``,
    `'$(${t})'`,
    `"$(${t})"`,
    `'; ${t}; '`,
    `"; ${t}; "`,
    `\n${t}\n`,
    `\r\n${t}`,
    `%0a${t}`,
    `%3B${t}`,
    `$IFS${t}`,
    `{touch,${canary}}`,
    `> ${canary}`,
    `>> ${canary}`,
    `< /etc/passwd > ${canary}`,
    `$(printf '\\x74ouch') ${canary}`,
    `\\$(${t})`,
    `-oProxyCommand=${t}`,
    `-o ProxyCommand="${t}"`,
    `localhost -oProxyCommand=${t}`,
    `--password-command=${t}`,
    `--password-command "${t}"`,
    `-o sftp.command=${t}`,
    `--option=sftp.command=${t}`,
    `--repo=local:/ --password-command=${t}`,
    `sftp:x@localhost:/ -o sftp.command=${t}`,
    `--help`,
    `-h`,
    `--`,
    `-`,
    `*`,
    `~`,
    `~root`,
    `$HOME`,
    `\${PATH}`,
    `!!`,
    `!-1`,
  ];
}

const QUOTES = [`'`, `"`, '`', `''`, `""`, `'"'`, `"'"`, `\\'`, `\\"`, `\\`, `\\\\`, `'\\''`, `"\\""`];

const NEWLINES = ['\n', '\r', '\r\n', 'a\nb', 'a\rb', '\u2028', '\u2029', '\u0085', '\v', '\f', '\t'];

const NUL = ['\u0000', 'a\u0000b', '\u0000\u0000', '%00', '\\0', '\\x00', '\u0001\u001f\u007f'];

const UNICODE = [
  'é',
  'e\u0301',
  '日本語',
  'Ω≈ç√∫',
  '🦀',
  '👩‍👩‍👧‍👦',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  '\uffff',
  '１２３',
  '٣',
  '𝟙𝟚𝟛',
  'İı',
  'ß',
  'Ａ',
  '\u0000é',
  '\ud83d',
  'a\u0300\u0301\u0302\u0303',
  'ｓｅｌｅｃｔ',
];

const LONG = [
  'A'.repeat(129),
  'A'.repeat(256),
  'A'.repeat(4_097),
  'A'.repeat(20_000),
  '9'.repeat(400),
  '1'.repeat(10),
  '../'.repeat(300),
  '%'.repeat(1_000),
  '日'.repeat(2_000),
  '$('.repeat(500),
];

const TRAVERSAL = [
  '..',
  '.',
  '../',
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%252e%252e%252f',
  '....//....//etc/passwd',
  '..\\..\\windows',
  '/etc/passwd',
  '/etc/shadow',
  '/',
  '//',
  '/./',
  'a/../../b',
  '..;/',
  'file:///etc/passwd',
  '/proc/self/environ',
  '/dev/zero',
  '/root/.ssh/id_rsa',
  'C:\\Windows',
  '\\\\server\\share',
];

const TEMPLATE = [
  '"',
  'a" ]',
  'x"\nRESTIC_PASSWORD="owned',
  'x"\nTM_MAD="ssh',
  'NAME="x"',
  'RESTIC_PASSWORD=x',
  '[',
  ']',
  'A=[B="c"]',
  'DS_MAD=fs',
  '$VAR',
  '$NAME',
  '\\"',
  '#comment',
  'A = "b" ]\nC = [ D = "e',
  'x\\',
];

const XML = [
  '<x>',
  '</NAME>',
  ']]>',
  '<![CDATA[x]]>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
  '&amp;',
  '&lt;',
  '&#0;',
  '&#x0;',
  '&e;',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '<?xml version="1.0"?>',
];

const NUMBERS = [
  '-1',
  '-0',
  '+1',
  '0x10',
  '0o7',
  '0b1',
  '1e3',
  '1.5',
  '1,5',
  ' 1',
  '1 ',
  '01',
  '00',
  'NaN',
  'Infinity',
  '-Infinity',
  '2147483648',
  '9007199254740993',
  '4294967296',
  '1_000',
  'null',
  'undefined',
  'true',
  'false',
  '[]',
  '{}',
];

const IDS = [
  'ABCDEF12',
  'abcdef1',
  'g'.repeat(8),
  'a'.repeat(63),
  'a'.repeat(65),
  'latest',
  'job_',
  'job_x',
  'JOB_1',
  'job_-1',
  'job_1/../0',
  '0/../../',
];

const MISC = [
  '',
  ' ',
  '   ',
  '%s%s%s%n',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  "' OR '1'='1",
  '"; DROP TABLE jobs; --',
  'a\r\nSet-Cookie: backstone=owned',
  'a%0d%0aSet-Cookie:%20x=y',
  'user@host',
  '[::1]:22',
  '127.0.0.1:2222',
  'localhost/path',
  'http://127.0.0.1:1/',
  '?x=1',
  '#frag',
  '%',
  '%%',
  '%zz',
];

/** The base payloads, canary included. */
export function basePayloads(canary: string): string[] {
  return [
    ...commandPayloads(canary),
    ...QUOTES,
    ...NEWLINES,
    ...NUL,
    ...UNICODE,
    ...LONG,
    ...TRAVERSAL,
    ...TEMPLATE,
    ...XML,
    ...NUMBERS,
    ...IDS,
    ...MISC,
  ];
}

/** Every third element: each family keeps members from its start, middle and end. */
const everyThird = <T>(xs: T[]): T[] => xs.filter((_, i) => i % 3 === 0);

/**
 * The corpus for one field: every base payload alone, and the command payloads, quotes, newlines,
 * NUL and template syntax after and before `valid` (a value the field accepts).
 * - `every` (the unit tests, no server): every one of them wrapped; at least 400.
 * - `sample` (over HTTP, where each value is a request the app must answer): every third of each
 *   wrapped family. A validator that checks only a prefix or only a suffix is caught by any one of
 *   them; the wrapped ninety-odd cost a third of the end-to-end run. At least 280.
 */
export function hostileCorpus(canary: string, valid = '', wrapping: 'every' | 'sample' = 'every'): string[] {
  const base = basePayloads(canary);
  const families = [commandPayloads(canary), QUOTES, NEWLINES, NUL, TEMPLATE, TRAVERSAL.slice(0, 6)];
  const wrapped = families.flatMap((f) => (wrapping === 'every' ? f : everyThird(f)));
  const all = valid ? [...base, ...wrapped.map((p) => valid + p), ...wrapped.map((p) => p + valid)] : base;
  return [...new Set(all)];
}

/**
 * The free-text fields of the server actions: every other field (IDs, numbers, choices,
 * checkboxes) is closed. One list for the schema-level unit test (lib/schemas/hostile-boundary.test.ts,
 * which checks it against its cases and sends every field the whole corpus) and the HTTP-level
 * end-to-end spec (e2e/hostile-input.spec.ts, which sends these every second value where first met,
 * and every sixth value elsewhere).
 */
export const FREE_TEXT_FIELDS: readonly string[] = [
  'username',
  'password',
  'next',
  'name',
  'folder',
  'confirm',
  'NAME',
  'RESTIC_SFTP_SERVER',
  'RESTIC_SFTP_USER',
  'RESTIC_PASSWORD',
  'password_confirm',
  'RESTIC_TMP_DIR',
  'custom_value',
  'RESTIC_S3_ENDPOINT',
  'RESTIC_S3_BUCKET',
  'RESTIC_S3_ACCESS_KEY_ID',
  'RESTIC_S3_SECRET_ACCESS_KEY',
  'RESTIC_S3_CACERT',
  'host',
  'user',
  'from',
  'to',
  'url',
  'secret',
];
