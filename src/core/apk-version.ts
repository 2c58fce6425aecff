// Alpine's version ordering, as apk-tools compares them: {digits}{.digits}…{letter}{_suffix{digits}}…{-r digits}.
// The string is read as tokens; the first pair of tokens that differs decides. Pre-release suffixes
// (_alpha, _beta, _pre, _rc) sort before the bare version, post-release ones (_cvs, _svn, _git, _hg, _p)
// after it. A version apk itself would call invalid is compared as a plain string, as newer apk does.

enum Token {
  Invalid = -1,
  DigitOrZero = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNumber = 4,
  Revision = 5,
  End = 6,
}

const PRE_RELEASE = ['alpha', 'beta', 'pre', 'rc'];
const POST_RELEASE = ['cvs', 'svn', 'git', 'hg', 'p'];

class Cursor {
  type: Token = Token.Digit;
  private at = 0;

  constructor(private readonly text: string) {}

  /** A cursor at the same place, to look at the next token without moving this one. */
  copy(): Cursor {
    const twin = new Cursor(this.text);
    twin.type = this.type;
    twin.at = this.at;
    return twin;
  }

  private get rest(): number {
    return this.text.length - this.at;
  }

  /** Reads the token of the current type, returns its value and moves the type on to the next token's. */
  read(): number {
    if (this.rest <= 0) {
      this.type = Token.End;
      return 0;
    }
    let value = 0;
    let length = 0;
    let next: Token | undefined;
    const c = (k: number) => this.text[this.at + k] as string;
    switch (this.type) {
      case Token.DigitOrZero:
        // Leading zeros after a dot make the component a fraction: each zero counts against it.
        if (c(0) === '0') {
          while (length < this.rest && c(length) === '0') length++;
          value = -length;
          next = Token.Digit;
          break;
        }
        length = this.digits();
        value = Number(this.text.slice(this.at, this.at + length) || '0');
        break;
      case Token.Digit:
      case Token.SuffixNumber:
      case Token.Revision:
        length = this.digits();
        value = Number(this.text.slice(this.at, this.at + length) || '0');
        break;
      case Token.Letter:
        value = this.text.charCodeAt(this.at);
        length = 1;
        break;
      case Token.Suffix: {
        const rest = this.text.slice(this.at);
        const pre = PRE_RELEASE.findIndex((suffix) => rest.startsWith(suffix));
        if (pre >= 0) {
          value = pre - PRE_RELEASE.length;
          length = (PRE_RELEASE[pre] as string).length;
          break;
        }
        const post = POST_RELEASE.findIndex((suffix) => rest.startsWith(suffix));
        if (post >= 0) {
          value = post;
          length = (POST_RELEASE[post] as string).length;
          break;
        }
        this.type = Token.Invalid;
        return -1;
      }
      default:
        this.type = Token.Invalid;
        return -1;
    }
    this.at += length;
    if (this.rest === 0) this.type = Token.End;
    else if (next !== undefined) this.type = next;
    else this.advance();
    return value;
  }

  private digits(): number {
    let n = 0;
    while (n < this.rest && /[0-9]/.test(this.text[this.at + n] as string)) n++;
    return n;
  }

  /** Decides the next token's type from the separator (consuming it) or the character class. */
  private advance(): void {
    const c = this.text[this.at] as string;
    let next = Token.Invalid;
    if ((this.type === Token.Digit || this.type === Token.DigitOrZero) && /[a-z]/.test(c))
      next = Token.Letter;
    else if (this.type === Token.Letter && /[0-9]/.test(c)) next = Token.Digit;
    else if (this.type === Token.Suffix && /[0-9]/.test(c)) next = Token.SuffixNumber;
    else {
      if (c === '.') next = Token.DigitOrZero;
      else if (c === '_') next = Token.Suffix;
      else if (c === '-' && this.text[this.at + 1] === 'r') {
        next = Token.Revision;
        this.at++;
      }
      this.at++;
    }
    const allowedBack =
      (next === Token.DigitOrZero && this.type === Token.Digit) ||
      (next === Token.Suffix && this.type === Token.SuffixNumber) ||
      (next === Token.Digit && this.type === Token.Letter);
    this.type = next < this.type && !allowedBack ? Token.Invalid : next;
  }
}

/** True when apk would accept `version` as a version. */
export function isApkVersion(version: string): boolean {
  const cursor = new Cursor(version);
  while (cursor.type !== Token.End && cursor.type !== Token.Invalid) cursor.read();
  return cursor.type === Token.End;
}

/** Negative when `a` is older than `b`, positive when newer, 0 when apk holds them equal. */
export function compareApkVersions(a: string, b: string): number {
  if (!isApkVersion(a) || !isApkVersion(b)) return a < b ? -1 : a > b ? 1 : 0;
  const left = new Cursor(a);
  const right = new Cursor(b);
  let leftValue = 0;
  let rightValue = 0;
  while (
    left.type === right.type &&
    left.type !== Token.End &&
    left.type !== Token.Invalid &&
    leftValue === rightValue
  ) {
    leftValue = left.read();
    rightValue = right.read();
  }
  if (leftValue !== rightValue) return leftValue < rightValue ? -1 : 1;
  if (left.type === right.type) return 0;
  // Equal so far: the longer version is newer, unless what it goes on with is a pre-release suffix.
  if (left.type === Token.Suffix && left.copy().read() < 0) return -1;
  if (right.type === Token.Suffix && right.copy().read() < 0) return 1;
  return left.type > right.type ? -1 : left.type < right.type ? 1 : 0;
}
