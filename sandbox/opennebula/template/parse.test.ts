import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTemplate, TemplateAbort, TemplateSyntaxError } from './parse';
import { toTemplateText } from './template';

describe('OpenNebula template syntax', () => {
  it('reads quoted, unquoted, empty and vector values, comments and multi-line strings', () => {
    const t = parseTemplate(`# comment
name = "RBackups" # trailing comment
TYPE=BACKUP_DS
EMPTY =
MULTI = "line one
line two"
DISK = [ image = "a\\"b", SIZE = 10 ]
`);
    expect(t).toEqual([
      { name: 'NAME', value: 'RBackups' },
      { name: 'TYPE', value: 'BACKUP_DS' },
      { name: 'EMPTY', value: '' },
      { name: 'MULTI', value: 'line one\nline two' },
      { name: 'DISK', vector: { IMAGE: 'a"b', SIZE: '10' } },
    ]);
  });

  it('stores hostile values exactly as given', () => {
    const hostile = [
      'it\'s "quoted"',
      'back\\slash\\',
      'new\nline\r\n',
      '$(rm -rf /) `id` ${HOME}',
      'x'.repeat(100_000),
      '#not a comment',
      'a,b=[c]',
    ];
    for (const v of hostile)
      expect(parseTemplate(toTemplateText([{ name: 'V', value: v }]))).toEqual([{ name: 'V', value: v }]);
  });

  it('round-trips any value without "]]>"', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !s.includes(']]>')),
        (v) => {
          expect(parseTemplate(toTemplateText([{ name: 'V', value: v }]))).toEqual([{ name: 'V', value: v }]);
        },
      ),
    );
  });

  it('refuses what oned refuses: CDATA terminators and syntax errors', () => {
    expect(() => parseTemplate('A = "x]]>y"\n')).toThrow(TemplateAbort);
    expect(() => parseTemplate('A B\n')).toThrow(
      /syntax error, unexpected VARIABLE, expecting EQUAL or EQUAL_EMPTY at line 1/,
    );
    expect(() => parseTemplate('A = [ B ]\n')).toThrow(TemplateSyntaxError);
    // As in flex, an unmatched quote is just part of an unquoted value.
    expect(parseTemplate('A = "unterminated\n')).toEqual([{ name: 'A', value: '"unterminated' }]);
  });
});
