// OpenNebula template syntax, parsed as oned's flex/bison grammar does (src/template/
// template_parser.l and template_syntax.y): `NAME = value` with unquoted values made of anything but
// blanks and `=,[]#`, double-quoted values that may span lines and escape `\"` and `\\`, `NAME =`
// (empty), vectors `NAME = [ A = v, B = "w" ]`, `#` comments. Names are upper-cased. A value holding
// `]]>` aborts the parse (it would break oned's CDATA output).
import type { Attr, Template } from './template';

export class TemplateSyntaxError extends Error {}

type Tok =
  | { t: 'VARIABLE' | 'STRING'; v: string; line: number; col: number; end: number }
  | {
      t: 'EQUAL' | 'EQUAL_EMPTY' | 'COMMA' | 'OBRACKET' | 'CBRACKET' | 'CCDATA' | '$end';
      line: number;
      col: number;
      end: number;
    };

const UNQUOTED = /^[^=#\s,[\]]+/;

class Lexer {
  private i = 0;
  private line = 1;
  private col = 0;
  private inValue = false;
  constructor(private readonly s: string) {}

  private take(n: number): string {
    const text = this.s.slice(this.i, this.i + n);
    this.i += n;
    return text;
  }

  private tok<T extends Tok['t']>(t: T, text: string, v?: string): Tok {
    const start = this.col;
    this.col += text.length;
    const tok = { t, line: this.line, col: start, end: this.col, ...(v !== undefined ? { v } : {}) } as Tok;
    const newlines = text.split('\n').length - 1;
    if (newlines) {
      this.line += newlines;
      this.col = text.length - text.lastIndexOf('\n') - 1;
    }
    return tok;
  }

  next(): Tok {
    const rest = this.s.slice(this.i);
    if (this.inValue) return this.value(rest);
    let m = /^([ \t]*#[^\n]*\n|[ \t\n]+)+/.exec(rest);
    if (m) {
      this.tok('$end', this.take(m[0].length));
      return this.next();
    }
    if (rest.length === 0) return this.tok('$end', '');
    if ((m = /^[ \t]*=[ \t]*\n/.exec(rest))) return this.tok('EQUAL_EMPTY', this.take(m[0].length));
    if ((m = /^[ \t]*=[ \t]*/.exec(rest))) {
      this.inValue = true;
      return this.tok('EQUAL', this.take(m[0].length));
    }
    if ((m = /^[A-Za-z0-9_]+/.exec(rest))) return this.tok('VARIABLE', this.take(m[0].length), m[0]);
    if ((m = /^[ \t\n]*,[ \t\n]*/.exec(rest))) return this.tok('COMMA', this.take(m[0].length));
    if ((m = /^[ \t\n]*\][ \t\n]*/.exec(rest))) return this.tok('CBRACKET', this.take(m[0].length));
    // flex echoes unmatched characters; the grammar then sees the following token.
    this.tok('$end', this.take(1));
    return this.next();
  }

  private value(rest: string): Tok {
    this.inValue = false;
    let m = /^[ \t]*\[[ \t\n]*/.exec(rest);
    if (m) return this.tok('OBRACKET', this.take(m[0].length));
    const lineEnd = rest.indexOf('\n');
    const quoted = /^"((?:\\[\s\S]|[^"\\])*)"/.exec(rest);
    const firstLine = lineEnd === -1 ? rest : rest.slice(0, lineEnd);
    if (firstLine.includes(']]>') && (!quoted || quoted[0].length <= firstLine.length)) {
      return this.tok('CCDATA', this.take(firstLine.length));
    }
    if (quoted) {
      if (quoted[1]!.includes(']]>')) return this.tok('CCDATA', this.take(quoted[0].length));
      return this.tok('STRING', this.take(quoted[0].length), unescape(quoted[1]!));
    }
    if ((m = UNQUOTED.exec(rest))) return this.tok('STRING', this.take(m[0].length), m[0]);
    return this.next();
  }
}

/** `\"` becomes `"` and `\\` becomes `\`; any other backslash stays. */
function unescape(raw: string): string {
  return raw.replace(/\\(["\\])/g, '$1');
}

const NAMES: Record<Tok['t'], string> = {
  VARIABLE: 'VARIABLE',
  STRING: 'STRING',
  EQUAL: 'EQUAL',
  EQUAL_EMPTY: 'EQUAL_EMPTY',
  COMMA: 'COMMA',
  OBRACKET: 'OBRACKET',
  CBRACKET: 'CBRACKET',
  CCDATA: 'CCDATA',
  $end: '$end',
};

function unexpected(tok: Tok, expecting: string[]): TemplateSyntaxError {
  const exp = expecting.length ? `, expecting ${expecting.join(' or ')}` : '';
  return new TemplateSyntaxError(
    `syntax error, unexpected ${NAMES[tok.t]}${exp} at line ${tok.line}, columns ${tok.col}:${tok.end}`,
  );
}

/** Parses template text; throws TemplateSyntaxError with a bison-style message, or `null` message on abort. */
export function parseTemplate(text: string): Template {
  const lx = new Lexer(text);
  const out: Attr[] = [];
  for (let tok = lx.next(); tok.t !== '$end'; tok = lx.next()) {
    if (tok.t !== 'VARIABLE') throw unexpected(tok, ['VARIABLE']);
    const name = tok.v.toUpperCase();
    const op = lx.next();
    if (op.t === 'EQUAL_EMPTY') {
      out.push({ name, value: '' });
      continue;
    }
    if (op.t !== 'EQUAL') throw unexpected(op, ['EQUAL', 'EQUAL_EMPTY']);
    const val = lx.next();
    if (val.t === 'CCDATA') throw new TemplateAbort();
    if (val.t === 'STRING') {
      out.push({ name, value: val.v });
      continue;
    }
    if (val.t !== 'OBRACKET') throw unexpected(val, ['STRING', 'OBRACKET']);
    out.push({ name, vector: parseVector(lx) });
  }
  return out;
}

function parseVector(lx: Lexer): Record<string, string> {
  const vector: Record<string, string> = {};
  for (;;) {
    const key = lx.next();
    if (key.t !== 'VARIABLE') throw unexpected(key, ['VARIABLE']);
    const eq = lx.next();
    if (eq.t !== 'EQUAL') throw unexpected(eq, ['EQUAL']);
    const val = lx.next();
    if (val.t === 'CCDATA') throw new TemplateAbort();
    if (val.t !== 'STRING') throw unexpected(val, ['STRING']);
    const k = key.v.toUpperCase();
    // std::map::insert keeps the first value of a repeated key.
    if (!(k in vector)) vector[k] = val.v;
    const sep = lx.next();
    if (sep.t === 'CBRACKET') return vector;
    if (sep.t !== 'COMMA') throw unexpected(sep, ['COMMA', 'CBRACKET']);
  }
}

/** YYABORT: oned reports it without a message. */
export class TemplateAbort extends TemplateSyntaxError {
  constructor() {
    super('unknown error');
  }
}

/** The text oned answers a failed parse with (Template::parse_str_or_xml). */
export function parseErrorText(err: TemplateSyntaxError): string {
  return `Parse error: ${err.message}`;
}
