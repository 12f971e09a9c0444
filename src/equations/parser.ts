/**
 * A recursive-descent parser for the expression language of equations, thresholds and resets.
 *
 * Grammar (lowest precedence first):
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | cmp
 *   cmp     := sum (('<'|'>'|'<='|'>='|'=='|'!=') sum)?
 *   sum     := product (('+'|'-') product)*
 *   product := unary (('*'|'/') unary)*
 *   unary   := ('-'|'+') unary | power
 *   power   := atom (('**'|'^') unary)?          (right-associative; -x**2 is -(x**2))
 *   atom    := number | name | name '(' args ')' | '(' or ')'
 */
import { type Expr, type CmpOp, FUNCTIONS } from './ast.js';

/**
 * A syntax error with the position in the text.
 *
 * @example
 * try { parseExpr('v * (1 + '); } catch (e) { if (e instanceof ParseError) console.log(e.pos, e.message); }
 */
export class ParseError extends Error {
  readonly text: string;
  readonly pos: number;
  constructor(message: string, text: string, pos: number) {
    super(`${message} at column ${pos + 1} of '${text}'`);
    this.name = 'ParseError';
    this.text = text;
    this.pos = pos;
  }
}

type Tok = { t: 'num'; v: number; pos: number } | { t: 'id'; v: string; pos: number } | { t: 'op'; v: string; pos: number } | { t: 'end'; pos: number };

const OPS = ['**', '<=', '>=', '==', '!=', '+=', '-=', '*=', '/=', '+', '-', '*', '/', '^', '(', ')', ',', '<', '>', '=', '&&', '||', '!'];

// Sticky: matched at a position, without copying the rest of the text for every token.
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Splits text into tokens. Identifiers are ASCII letters, digits and underscores.
 *
 * @example
 * tokenize('v > Vth').map((t) => t.t) // ['id', 'op', 'id', 'end']
 */
export function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const numMatch = NUMBER.exec(text);
    if (numMatch) {
      const v = Number(numMatch[0]);
      // '1e400' would be Infinity: a literal must be a finite number (checkExpr refuses the same tree)
      if (!Number.isFinite(v)) throw new ParseError(`the number ${numMatch[0].slice(0, 40)} is out of range (largest about 1.8e308)`, text, i);
      out.push({ t: 'num', v, pos: i });
      i += numMatch[0].length;
      continue;
    }
    IDENT.lastIndex = i;
    const idMatch = IDENT.exec(text);
    if (idMatch) {
      out.push({ t: 'id', v: idMatch[0], pos: i });
      i += idMatch[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ t: 'op', v: op, pos: i });
      i += op.length;
      continue;
    }
    throw new ParseError(`unexpected character '${c}'`, text, i);
  }
  out.push({ t: 'end', pos: text.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly text: string,
  ) {}

  peek(): Tok {
    return this.toks[this.i];
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  isWord(v: string): boolean {
    const t = this.peek();
    return t.t === 'id' && t.v === v;
  }
  expectOp(v: string): void {
    if (!this.isOp(v)) this.fail(`expected '${v}'`);
    this.i++;
  }
  fail(msg: string): never {
    const t = this.peek();
    const got = t.t === 'end' ? 'end of text' : `'${t.v}'`;
    throw new ParseError(`${msg}, found ${got}`, this.text, t.pos);
  }
  atEnd(): boolean {
    return this.peek().t === 'end';
  }

  or(): Expr {
    let a = this.and();
    while (this.isWord('or') || this.isOp('||')) {
      this.i++;
      a = { k: 'logic', op: 'or', a, b: this.and() };
    }
    return a;
  }
  and(): Expr {
    let a = this.not();
    while (this.isWord('and') || this.isOp('&&')) {
      this.i++;
      a = { k: 'logic', op: 'and', a, b: this.not() };
    }
    return a;
  }
  not(): Expr {
    if (this.isWord('not') || this.isOp('!')) {
      this.i++;
      return { k: 'not', a: this.not() };
    }
    return this.cmp();
  }
  cmp(): Expr {
    const a = this.sum();
    const t = this.peek();
    if (t.t === 'op' && ['<', '>', '<=', '>=', '==', '!='].includes(t.v)) {
      this.i++;
      return { k: 'cmp', op: t.v as CmpOp, a, b: this.sum() };
    }
    return a;
  }
  sum(): Expr {
    let a = this.product();
    for (;;) {
      if (this.isOp('+')) {
        this.i++;
        a = { k: 'bin', op: '+', a, b: this.product() };
      } else if (this.isOp('-')) {
        this.i++;
        a = { k: 'bin', op: '-', a, b: this.product() };
      } else return a;
    }
  }
  product(): Expr {
    let a = this.unary();
    for (;;) {
      if (this.isOp('*')) {
        this.i++;
        a = { k: 'bin', op: '*', a, b: this.unary() };
      } else if (this.isOp('/')) {
        this.i++;
        a = { k: 'bin', op: '/', a, b: this.unary() };
      } else return a;
    }
  }
  unary(): Expr {
    if (this.isOp('-')) {
      this.i++;
      const a = this.unary();
      return a.k === 'num' ? { k: 'num', v: -a.v } : { k: 'neg', a };
    }
    if (this.isOp('+')) {
      this.i++;
      return this.unary();
    }
    return this.power();
  }
  power(): Expr {
    const a = this.atom();
    if (this.isOp('**') || this.isOp('^')) {
      this.i++;
      return { k: 'bin', op: '^', a, b: this.unary() };
    }
    return a;
  }
  atom(): Expr {
    const t = this.peek();
    if (t.t === 'num') {
      this.i++;
      return { k: 'num', v: t.v };
    }
    if (t.t === 'id') {
      if (['and', 'or', 'not'].includes(t.v)) this.fail('expected a value');
      this.i++;
      if (this.isOp('(')) {
        this.i++;
        const fn = FUNCTIONS[t.v];
        if (!fn) throw new ParseError(`unknown function '${t.v}' (known: ${Object.keys(FUNCTIONS).join(', ')})`, this.text, t.pos);
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          args.push(this.or());
          while (this.isOp(',')) {
            this.i++;
            args.push(this.or());
          }
        }
        this.expectOp(')');
        if (args.length !== fn.arity) throw new ParseError(`function '${t.v}' takes ${fn.arity} argument(s), got ${args.length}`, this.text, t.pos);
        return { k: 'call', fn: t.v, args };
      }
      return { k: 'sym', name: t.v };
    }
    if (this.isOp('(')) {
      this.i++;
      const e = this.or();
      this.expectOp(')');
      return e;
    }
    return this.fail('expected a number, a name or (');
  }
}

/**
 * Parses an expression.
 *
 * @example
 * parseExpr('(ge*(Ee-v) - (v-El)) / taum')
 */
export function parseExpr(text: string): Expr {
  const p = new Parser(tokenize(text), text);
  const e = p.or();
  if (!p.atEnd()) p.fail('expected an operator or the end of the expression');
  return e;
}

/** One statement of a reset or an on-spike update: `v = Vr`, `w += b`. */
export interface Assignment {
  readonly target: string;
  readonly op: '=' | '+=' | '-=' | '*=' | '/=';
  readonly value: Expr;
}

/**
 * Parses statements separated by newlines or semicolons.
 *
 * @example
 * parseStatements('v = Vr; w += b')
 */
export function parseStatements(text: string): Assignment[] {
  const out: Assignment[] = [];
  for (const raw of text.split(/[\n;]/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const toks = tokenize(line);
    const [target, op] = toks;
    if (target.t !== 'id' || op.t !== 'op' || !['=', '+=', '-=', '*=', '/='].includes(op.v)) {
      throw new ParseError("expected a statement 'name = expression' (or +=, -=, *=, /=)", line, 0);
    }
    const p = new Parser(toks.slice(2), line);
    const value = p.or();
    if (!p.atEnd()) p.fail('expected the end of the statement');
    out.push({ target: target.v, op: op.v as Assignment['op'], value });
  }
  return out;
}
