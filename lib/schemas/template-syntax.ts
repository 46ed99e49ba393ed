// OpenNebula template syntax, as oned reads it (src/template/template_parser.l and
// template_syntax.y in OpenNebula/one). Pure: no I/O, safe for a client component (the wizard's
// review step shows the exact text).
//
// What oned's grammar means for us:
// - Names are [A-Za-z0-9_]+ and oned upper-cases them (top level and inside vectors).
// - A quoted value is `"` ... `"` where an inner `"` must be written `\"`; oned then replaces every
//   `\"` with `"` and nothing else. A backslash is otherwise literal, so it is never doubled.
// - The lexer takes the LONGEST quoted match, so a value ending in `\` would make oned read the
//   closing quote as escaped and swallow what follows: such values are refused.
// - A value line containing `]]>` aborts oned's parse (CDATA protection): refused.
// - The template travels to oned inside XML-RPC, so characters XML cannot carry (NUL and other
//   control characters except tab and newline, CR which XML turns into LF, U+FFFE/U+FFFF and lone
//   surrogates) are refused rather than silently changed.
// - Inside a vector a repeated key keeps only its first value in oned: refused when serialising.

import { ExpectedError } from '@/lib/errors/expected-error';

export type TemplateVectorEntry = { name: string; value: string };
export type TemplateAttribute = { name: string; value: string } | { name: string; vector: TemplateVectorEntry[] };

export class TemplateSyntaxError extends ExpectedError {
  override name = 'TemplateSyntaxError';
  readonly kind = 'invalid-input';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/** A value or name oned cannot read back exactly; the message says which and why. */
export class TemplateValueError extends ExpectedError {
  override name = 'TemplateValueError';
  readonly kind = 'invalid-input';
  constructor(
    readonly attribute: string,
    readonly reason: string,
  ) {
    super(`${attribute}: ${reason}`);
  }
  override get userMessage(): string {
    return `OpenNebula cannot store ${this.attribute}: ${this.reason}.`;
  }
}

const NAME = /^[A-Za-z0-9_]+$/;
// C0 controls except tab and LF, DEL is fine for XML; U+FFFE/U+FFFF are not XML characters.
const NOT_XML_SAFE = /[\u0000-\u0008\u000B\u000C\u000D\u000E-\u001F\uFFFE\uFFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkName(name: string, where: string): string {
  if (!NAME.test(name)) throw new TemplateValueError(where, 'names may only use letters, digits and _');
  return name.toUpperCase();
}

/** The reason oned could not carry `value` exactly, or undefined when it can. */
export function unrepresentableReason(value: string): string | undefined {
  if (LONE_SURROGATE.test(value)) return 'the value contains a broken Unicode character (lone surrogate)';
  if (NOT_XML_SAFE.test(value)) {
    return value.includes('\r')
      ? 'the value contains a carriage return, which oned would turn into a newline'
      : 'the value contains a control character that cannot be sent to OpenNebula';
  }
  if (value.includes(']]>')) return 'the value contains "]]>", which OpenNebula refuses in templates';
  if (value.endsWith('\\'))
    return 'the value ends with a backslash, which OpenNebula would read as escaping the closing quote';
  return undefined;
}

function quote(value: string, where: string): string {
  const reason = unrepresentableReason(value);
  if (reason) throw new TemplateValueError(where, reason);
  return `"${value.replaceAll('"', '\\"')}"`;
}

/** Writes attributes as template text oned reads back to exactly the same attributes. */
export function serializeTemplate(attributes: readonly TemplateAttribute[]): string {
  const lines: string[] = [];
  for (const attr of attributes) {
    const name = checkName(attr.name, attr.name || '(empty name)');
    if ('value' in attr) {
      lines.push(`${name} = ${quote(attr.value, name)}`);
      continue;
    }
    if (attr.vector.length === 0) {
      lines.push(`${name} = [ ]`);
      continue;
    }
    const seen = new Set<string>();
    const inner = attr.vector.map((e) => {
      const key = checkName(e.name, `${name}/${e.name || '(empty name)'}`);
      if (seen.has(key)) throw new TemplateValueError(`${name}/${key}`, 'a vector attribute cannot repeat a key');
      seen.add(key);
      return `  ${key} = ${quote(e.value, `${name}/${key}`)}`;
    });
    lines.push(`${name} = [\n${inner.join(',\n')} ]`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Single attributes from a record, in its key order (the usual case for a creation template). */
export function attributesFrom(record: Readonly<Record<string, string>>): TemplateAttribute[] {
  return Object.entries(record).map(([name, value]) => ({ name, value }));
}

// ---- parsing: a faithful replay of oned's flex lexer (longest match, first rule wins ties) -----

type Tok =
  | { t: 'VARIABLE'; v: string; line: number }
  | { t: 'STRING'; v: string; line: number }
  | { t: 'EQUAL' | 'EQUAL_EMPTY' | 'COMMA' | 'OBRACKET' | 'CBRACKET' | 'CCDATA' | 'EOF'; line: number };

const INITIAL_RULES: [Tok['t'] | 'SKIP', RegExp][] = [
  ['SKIP', /[ \t]*#[^\n]*(\n|$)/y], // comments (oned needs the newline; a last comment line is accepted here)
  ['SKIP', /[ \t\n\r]+/y], // blanks; oned's default rule also drops a stray CR
  ['VARIABLE', /[A-Za-z0-9_]+/y],
  ['EQUAL', /[ \t]*=[ \t]*/y],
  ['EQUAL_EMPTY', /[ \t]*=[ \t]*\n/y],
  ['COMMA', /[ \t\n]*,[ \t\n]*/y],
  ['CBRACKET', /[ \t\n]*\][ \t\n]*/y],
];

/** Length of the longest `"([^"]|\\")*"` match at i, or -1. */
function quotedLength(s: string, i: number): number {
  let last = -1;
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] !== '"') continue;
    last = j;
    // An inner quote is only possible as `\"`; the first unescaped quote must end the match.
    if (!(j - 1 > i && s[j - 1] === '\\')) break;
  }
  return last < 0 ? -1 : last - i + 1;
}

function matchAt(re: RegExp, s: string, i: number): number {
  re.lastIndex = i;
  const m = re.exec(s);
  return m ? m[0].length : -1;
}

function newlines(text: string): number {
  let n = 0;
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

function* lex(s: string): Generator<Tok> {
  let i = 0;
  let line = 1;
  let inValue = false;
  while (i < s.length) {
    if (inValue) {
      inValue = false;
      const cands: [Tok['t'], number][] = [
        ['OBRACKET', matchAt(/[ \t]*\[[ \t\n]*/y, s, i)],
        ['CCDATA', matchAt(/[^\n]*\]\]>[^\n]*/y, s, i)],
        ['STRING', s[i] === '"' ? quotedLength(s, i) : -1],
        ['STRING', matchAt(/[^=# \t\n,[\]]+/y, s, i)],
      ];
      let best = -1;
      let bestLen = 0;
      cands.forEach(([, len], k) => {
        if (len > bestLen) [best, bestLen] = [k, len];
      });
      if (best < 0) throw new TemplateSyntaxError('a value is missing after "="', line);
      const text = s.slice(i, i + bestLen);
      i += bestLen;
      const at = line;
      line += newlines(text);
      const kind = cands[best]![0];
      if (kind === 'STRING') yield { t: 'STRING', v: best === 2 ? text.slice(1, -1) : text, line: at };
      else yield { t: kind as 'OBRACKET' | 'CCDATA', line: at };
      continue;
    }
    let bestRule: Tok['t'] | 'SKIP' | undefined;
    let bestLen = 0;
    for (const [rule, re] of INITIAL_RULES) {
      const len = matchAt(re, s, i);
      if (len > bestLen) [bestRule, bestLen] = [rule, len];
    }
    if (!bestRule) throw new TemplateSyntaxError(`unexpected ${JSON.stringify(s[i])}`, line);
    const text = s.slice(i, i + bestLen);
    i += bestLen;
    const at = line;
    line += newlines(text);
    if (bestRule === 'SKIP') continue;
    if (bestRule === 'EQUAL') inValue = true;
    yield bestRule === 'VARIABLE' ? { t: 'VARIABLE', v: text, line: at } : ({ t: bestRule, line: at } as Tok);
  }
  if (inValue) throw new TemplateSyntaxError('a value is missing after "="', line);
  yield { t: 'EOF', line };
}

/** oned's unescape: every `\"` becomes `"`, scanning left to right; nothing else changes. */
function unescape(v: string): string {
  return v.replaceAll('\\"', '"');
}

/** Reads template text the way oned does: names upper-cased, `\"` unescaped, comments dropped. */
export function parseTemplate(text: string): TemplateAttribute[] {
  const toks = lex(text);
  let current = toks.next().value as Tok;
  // A function, not the variable, so TypeScript does not keep a narrowing across next().
  const tok = (): Tok => current;
  const next = () => void (current = toks.next().value as Tok);
  const expect = <T extends Tok['t']>(t: T, what: string): Extract<Tok, { t: T }> => {
    const got = tok();
    if (got.t !== t) throw new TemplateSyntaxError(`expected ${what}`, got.line);
    next();
    return got as Extract<Tok, { t: T }>;
  };
  const out: TemplateAttribute[] = [];
  while (tok().t !== 'EOF') {
    const name = expect('VARIABLE', 'an attribute name').v.toUpperCase();
    if (tok().t === 'EQUAL_EMPTY') {
      next();
      out.push({ name, value: '' });
      continue;
    }
    expect('EQUAL', `"=" after ${name}`);
    const value = tok();
    if (value.t === 'CCDATA') throw new TemplateSyntaxError(`${name}: "]]>" is not allowed in a value`, value.line);
    if (value.t === 'STRING') {
      out.push({ name, value: unescape(value.v) });
      next();
      continue;
    }
    expect('OBRACKET', `a value or "[" after ${name} =`);
    const vector: TemplateVectorEntry[] = [];
    while (tok().t !== 'CBRACKET') {
      if (vector.length) expect('COMMA', `"," or "]" in ${name}`);
      const key = expect('VARIABLE', `a name inside ${name}`).v.toUpperCase();
      expect('EQUAL', `"=" after ${name}/${key}`);
      const v = expect('STRING', `a value for ${name}/${key}`).v;
      // oned stores vectors in a map and keeps the first value of a repeated key.
      if (!vector.some((e) => e.name === key)) vector.push({ name: key, value: unescape(v) });
    }
    next();
    out.push({ name, vector });
  }
  return out;
}
