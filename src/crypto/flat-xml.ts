import type { XmlObject, XmlValue } from './xml.ts';

/**
 * One-pass reader for the XML WeChat sends: a `<xml>` root whose elements hold text, CDATA
 * sections or further such elements (ScanCodeInfo, SendPicsInfo, List items), e.g.
 * `<xml><ToUserName><![CDATA[gh_…]]></ToUserName><Encrypt><![CDATA[…]]></Encrypt></xml>`
 * (消息加解密说明, Third-party_Platforms/2.0/Before_Develop/Message_encryption_and_decryption).
 *
 * It accepts only a strict subset of XML and answers `undefined` for everything else —
 * attributes, comments, processing instructions, a declaration, entity or character references,
 * `>` in text, text mixed with elements, names outside [A-Za-z_][A-Za-z0-9_.-]*, names of
 * Object.prototype's members, deeper nesting, anything malformed — so that parseXml hands those
 * to the full parser, which accepts or refuses them exactly as before. On what it accepts, the
 * result is the full parser's: values are strings, exactly as sent (not trimmed; line ends
 * normalised), repeated elements become arrays, whitespace between elements is not a field, and
 * an element without content is ''. Values are not sanitised here (parseXml does that).
 */

/** Deeper documents go to the full parser (pushes nest about 4 levels; the root counts as 1). */
const MAX_FAST_DEPTH = 8;

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /
const AMP = 0x26; // &

/** Names the full parser refuses or renames, and any other name an object inherits. */
const RESERVED = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
const isNameStart = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f; // a-z A-Z _
const isNameChar = (c: number) =>
  isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e; // 0-9 - .

/** Thrown inside the reader only, to abandon the fast path; never escapes parseFlatXml. */
const NOT_FLAT = Symbol('not flat');

class Reader {
  pos = 0;
  constructor(readonly s: string) {}

  fail(): never {
    throw NOT_FLAT;
  }

  skipSpace(): void {
    const s = this.s;
    let i = this.pos;
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    this.pos = i;
  }

  /** At `<`: reads `<name>` or `<name/>`; returns the name and whether the element is empty. */
  openTag(): { name: string; selfClosing: boolean } {
    const s = this.s;
    const start = this.pos + 1;
    if (!isNameStart(s.charCodeAt(start))) this.fail();
    let i = start + 1;
    while (isNameChar(s.charCodeAt(i))) i++;
    const name = s.slice(start, i);
    if (RESERVED.has(name)) this.fail();
    let selfClosing = false;
    if (s.charCodeAt(i) === SLASH) {
      selfClosing = true;
      i++;
    }
    if (s.charCodeAt(i) !== GT) this.fail();
    this.pos = i + 1;
    return { name, selfClosing };
  }

  /** Expects `</name>` exactly. */
  closeTag(name: string): void {
    const s = this.s;
    const i = this.pos;
    if (
      s.charCodeAt(i) !== LT ||
      s.charCodeAt(i + 1) !== SLASH ||
      !s.startsWith(name, i + 2) ||
      s.charCodeAt(i + 2 + name.length) !== GT
    )
      this.fail();
    this.pos = i + 3 + name.length;
  }

  /** The content of an element just opened, up to and including its closing tag. */
  content(name: string, depth: number): XmlValue {
    const s = this.s;
    const i = this.pos;
    if (s.startsWith('<![CDATA[', i)) {
      // One or more adjacent CDATA sections, nothing else.
      let value = '';
      let at = i;
      while (s.startsWith('<![CDATA[', at)) {
        const end = s.indexOf(']]>', at + 9);
        if (end < 0) this.fail();
        value += s.slice(at + 9, end);
        at = end + 3;
      }
      this.pos = at;
      this.closeTag(name);
      return value;
    }
    const lt = s.indexOf('<', i);
    if (lt < 0) this.fail();
    if (s.charCodeAt(lt + 1) === SLASH) {
      // Text only (possibly empty): no references, no '>'.
      for (let k = i; k < lt; k++) {
        const c = s.charCodeAt(k);
        if (c === AMP || c === GT) this.fail();
      }
      this.pos = lt;
      this.closeTag(name);
      return s.slice(i, lt);
    }
    // Child elements, with nothing but whitespace around them.
    for (let k = i; k < lt; k++) if (!isSpace(s.charCodeAt(k))) this.fail();
    this.pos = lt;
    const children = this.children(depth + 1);
    this.closeTag(name);
    return children;
  }

  /** Elements (and whitespace between them) up to a closing tag, which is left unread. */
  children(depth: number): XmlObject {
    if (depth > MAX_FAST_DEPTH) this.fail();
    const s = this.s;
    const out: XmlObject = {};
    for (;;) {
      this.skipSpace();
      if (s.charCodeAt(this.pos) !== LT) this.fail();
      if (s.charCodeAt(this.pos + 1) === SLASH) return out;
      const { name, selfClosing } = this.openTag();
      const value = selfClosing ? '' : this.content(name, depth);
      const prev = out[name];
      if (prev === undefined) out[name] = value;
      else if (Array.isArray(prev)) prev.push(value);
      else out[name] = [prev, value];
    }
  }
}

/**
 * The children of the `<xml>` root of `text`, or `undefined` when `text` is not in the simple
 * form described above (the caller then uses the full parser).
 */
export function parseFlatXml(text: string): XmlObject | undefined {
  if (!text.startsWith('<xml>')) return undefined;
  // Line ends are normalised as XML requires (and the full parser does): CR LF and CR are LF,
  // in text and in CDATA alike.
  const s = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const r = new Reader(s);
  r.pos = 5;
  try {
    const out = r.children(2);
    r.closeTag('xml');
    r.skipSpace();
    return r.pos === s.length ? out : undefined;
  } catch (err) {
    if (err === NOT_FLAT) return undefined;
    throw err;
  }
}
