import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileCorpus } from '@/scripts/test-support/hostile-corpus';
import { fixture } from '@/lib/opennebula/test-support/fixtures';
import {
  parseTemplate,
  serializeTemplate,
  TemplateSyntaxError,
  TemplateValueError,
  unrepresentableReason,
  type TemplateAttribute,
} from './template-syntax';

// Characters that matter to oned's lexer or to a shell, mixed with arbitrary Unicode.
const hostileChar = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\t',
      ' ',
      '$',
      '(',
      ')',
      '[',
      ']',
      ',',
      '=',
      '#',
      "'",
      '`',
      '>',
      ';',
      '&',
      '|',
      '*',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ß', '日本', '😀', '\u2028', '\u00a0', '\u007f') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
);
const hostile = fc.array(hostileChar, { maxLength: 40 }).map((a) => a.join(''));
const anyString = fc.oneof(
  hostile,
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);
const representable = hostile.filter((v) => unrepresentableReason(v) === undefined);
const name = fc.stringMatching(/^[A-Z0-9_]{1,12}$/);

const single = fc.record({ name, value: representable });
const vector = fc.record({
  name,
  vector: fc.uniqueArray(fc.record({ name, value: representable }), { selector: (e) => e.name, maxLength: 5 }),
});
const attributes = fc.array(fc.oneof(single, vector), { maxLength: 6 });

/** Written and read back unchanged, or refused because of `value` with a reason: never written differently. */
function expectRoundTripOrRefusal(attrs: TemplateAttribute[], value: string): void {
  let text: string;
  try {
    text = serializeTemplate(attrs);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateValueError);
    expect(unrepresentableReason(value)).toBeDefined();
    return;
  }
  expect(parseTemplate(text)).toEqual(attrs);
}

describe('template serialiser and parser', () => {
  it('round-trips hostile values exactly', () => {
    fc.assert(
      fc.property(attributes, (attrs) => {
        expect(parseTemplate(serializeTemplate(attrs))).toEqual(attrs);
      }),
      { numRuns: 2000 },
    );
  });

  it('either round-trips a value or refuses it with a reason, never writes it differently', () => {
    fc.assert(
      fc.property(anyString, (value) => {
        const attrs: TemplateAttribute[] = [
          { name: 'A', value },
          {
            name: 'V',
            vector: [
              { name: 'X', value },
              { name: 'Y', value: 'after' },
            ],
          },
          { name: 'B', value: 'next "quoted" line' },
        ];
        expectRoundTripOrRefusal(attrs, value);
      }),
      { numRuns: 3000 },
    );
  });

  it('changes nothing but the field in question for every string of the hostile-input corpus', () => {
    const corpus = hostileCorpus('/tmp/backstone-canary', 'RBackups');
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    const others: TemplateAttribute[] = [
      { name: 'NAME', value: 'RBackups' },
      { name: 'DS_MAD', value: 'restic' },
      { name: 'RESTIC_PASSWORD', value: 'pw' },
    ];
    for (const value of corpus) {
      for (const at of [0, 1, 3]) {
        expectRoundTripOrRefusal([...others.slice(0, at), { name: 'FIELD', value }, ...others.slice(at)], value);
      }
    }
  });

  it('round-trips very long values', () => {
    const long = 'x"\\$(rm -rf /)]\n,='.repeat(20_000);
    expect(parseTemplate(serializeTemplate([{ name: 'LONG', value: long }]))).toEqual([{ name: 'LONG', value: long }]);
  });

  it('writes the quoting oned expects: only quotes are escaped, backslashes stay single', () => {
    expect(serializeTemplate([{ name: 'P', value: 'a"b\\c' }])).toBe('P = "a\\"b\\c"\n');
    expect(
      serializeTemplate([
        {
          name: 'V',
          vector: [
            { name: 'A', value: 'x' },
            { name: 'B', value: '' },
          ],
        },
      ]),
    ).toBe('V = [\n  A = "x",\n  B = "" ]\n');
    expect(serializeTemplate([{ name: 'E', vector: [] }])).toBe('E = [ ]\n');
    expect(serializeTemplate([])).toBe('');
  });

  it('refuses what oned would read differently, naming the attribute', () => {
    const refuse = (value: string) => () => serializeTemplate([{ name: 'RESTIC_PASSWORD', value }]);
    expect(refuse('ends with \\')).toThrow(/RESTIC_PASSWORD: .*backslash/);
    expect(refuse('a]]>b')).toThrow(/\]\]>/);
    expect(refuse('a\rb')).toThrow(/carriage return/);
    expect(refuse('a\u0000b')).toThrow(/control character/);
    expect(refuse('a\uFFFEb')).toThrow(/control character/);
    expect(refuse('a\uD800b')).toThrow(/surrogate/);
    expect(() => serializeTemplate([{ name: 'BAD-NAME', value: 'x' }])).toThrow(TemplateValueError);
    expect(() => serializeTemplate([{ name: '', value: 'x' }])).toThrow(TemplateValueError);
    expect(() =>
      serializeTemplate([
        {
          name: 'V',
          vector: [
            { name: 'A', value: '1' },
            { name: 'a', value: '2' },
          ],
        },
      ]),
    ).toThrow(/repeat a key/);
  });

  it('upper-cases names as oned does', () => {
    expect(serializeTemplate([{ name: 'restic_password', value: 'x' }])).toBe('RESTIC_PASSWORD = "x"\n');
    expect(parseTemplate('name = [ key = v ]')).toEqual([{ name: 'NAME', vector: [{ name: 'KEY', value: 'v' }] }]);
  });
});

describe('template parser (oned grammar)', () => {
  it('reads the reference creation templates with their comments', () => {
    const sftp = parseTemplate(fixture('ds-restic-sftp.tpl'));
    expect(sftp).toEqual([
      { name: 'NAME', value: 'RBackups' },
      { name: 'TYPE', value: 'BACKUP_DS' },
      { name: 'DS_MAD', value: 'restic' },
      { name: 'TM_MAD', value: '-' },
      { name: 'RESTIC_PASSWORD', value: 'opennebula' },
      { name: 'RESTIC_SFTP_SERVER', value: '192.168.1.8' },
      { name: 'RESTIC_SFTP_USER', value: 'oneadmin' },
      { name: 'RESTIC_COMPRESSION', value: 'auto' },
      { name: 'RESTIC_CONNECTIONS', value: '5' },
    ]);
    const s3 = parseTemplate(fixture('ds-restic-s3.tpl'));
    expect(s3.find((a) => a.name === 'RESTIC_S3_ENDPOINT')).toEqual({
      name: 'RESTIC_S3_ENDPOINT',
      value: 'http://s3-storage:8080',
    });
    expect(s3).toHaveLength(13);
  });

  it('reads unquoted values, empty values and multi-line quoted values', () => {
    expect(
      parseTemplate('A = plain\nB =\nC = "line 1\nline 2"\nD = "x" # trailing comment\n  # indented comment\nE=1'),
    ).toEqual([
      { name: 'A', value: 'plain' },
      { name: 'B', value: '' },
      { name: 'C', value: 'line 1\nline 2' },
      { name: 'D', value: 'x' },
      { name: 'E', value: '1' },
    ]);
  });

  it('unescapes only \\" like oned, and takes the longest quoted match like its lexer', () => {
    expect(parseTemplate('A = "x\\\\y\\"z"')).toEqual([{ name: 'A', value: 'x\\\\y"z' }]);
    // A value ending in a backslash swallows the text up to the next quote, which is why the serialiser refuses it.
    expect(parseTemplate('A = "x\\"\nB = "\nC = 1')).toEqual([
      { name: 'A', value: 'x"\nB = ' },
      { name: 'C', value: '1' },
    ]);
    // Without a closing quote the unquoted rule applies, quote included (as in oned).
    expect(parseTemplate('A = "unterminated')).toEqual([{ name: 'A', value: '"unterminated' }]);
  });

  it('keeps the first value of a repeated vector key, and repeated single attributes in order', () => {
    expect(parseTemplate('V = [ A = 1, a = 2, B = 3 ]\nX = 1\nX = 2')).toEqual([
      {
        name: 'V',
        vector: [
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
        ],
      },
      { name: 'X', value: '1' },
      { name: 'X', value: '2' },
    ]);
  });

  it('refuses what oned refuses', () => {
    expect(() => parseTemplate('A = "a]]>b"')).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate('A = [ B = 1, ]')).toThrow(/line 1: expected a name inside A/);
    expect(() => parseTemplate('A\nB = 1')).toThrow(/line 2: expected "=" after A/);
    expect(() => parseTemplate('= 1')).toThrow(/expected an attribute name/);
    expect(() => parseTemplate('A = [ B = [ C = 1 ] ]')).toThrow(TemplateSyntaxError);
  });
});
