import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  intAttr,
  OneXmlError,
  parseXmlRoot,
  validateXml,
  xContainer,
  xIds,
  xInt,
  xList,
  xTemplate,
  xText,
} from './xml';

describe('XML normalisation', () => {
  it('coerces integers explicitly and refuses anything else', () => {
    expect(xInt.parse('42')).toBe(42);
    expect(xInt.parse('-1')).toBe(-1);
    expect(xInt.parse(' 7\n')).toBe(7);
    for (const bad of ['', '1.5', 'abc', '1e3', '99999999999999999999'])
      expect(xInt.safeParse(bad).success).toBe(false);
    expect(intAttr({ A: '3', B: 'x' }, 'A')).toBe(3);
    expect(intAttr({ A: '3', B: 'x' }, 'B')).toBeUndefined();
    expect(intAttr({}, 'C')).toBeUndefined();
  });

  it('turns one, many and no elements into arrays', async () => {
    const schema = xContainer({ ID: xList(xInt) });
    expect(schema.parse(await parseXmlRoot('<R><ID>1</ID></R>', 'R'))).toEqual({ ID: [1] });
    expect(schema.parse(await parseXmlRoot('<R><ID>1</ID><ID>2</ID></R>', 'R'))).toEqual({ ID: [1, 2] });
    expect(schema.parse(await parseXmlRoot('<R/>', 'R'))).toEqual({ ID: [] });
    expect(xIds.parse(undefined)).toEqual([]);
  });

  it('keeps text exactly: CDATA, entities and blanks', async () => {
    const schema = z.object({ A: xText, B: xText, C: xText, D: xText });
    const root = await parseXmlRoot('<R><A><![CDATA[ x <y> ]]></A><B> </B><C>a &amp; b</C><D/></R>', 'R');
    expect(schema.parse(root)).toEqual({ A: ' x <y> ', B: ' ', C: 'a & b', D: '' });
  });

  it('splits a template into single and vector attributes', async () => {
    const root = await parseXmlRoot('<T><A>1</A><A>2</A><V><X>1</X></V><V><X>2</X><Y/></V></T>', 'T');
    expect(xTemplate.parse(root)).toEqual({ attributes: { A: '1' }, vectors: { V: [{ X: '1' }, { X: '2', Y: '' }] } });
  });

  it('skips noise before the XML and names the wrong root', async () => {
    expect(await parseXmlRoot('warning: deprecated\n<R>1</R>', 'R')).toBe('1');
    await expect(parseXmlRoot('<S/>', 'R')).rejects.toThrow(/expected <R> XML, got <S>/);
    await expect(parseXmlRoot('<R><unclosed></R>', 'R')).rejects.toBeInstanceOf(OneXmlError);
  });

  it('reports failing paths without echoing values', () => {
    const e = (() => {
      try {
        validateXml(z.object({ SECRET: xInt }), { SECRET: 'hunter22' }, 'THING');
      } catch (x) {
        return x as Error;
      }
    })();
    expect(e?.message).toMatch(/THING XML does not have the expected shape \(SECRET: expected an integer\)/);
    expect(e?.message).not.toContain('hunter22');
  });
});
