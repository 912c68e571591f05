import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WxCryptoError } from './errors.ts';
import { parseFlatXml } from './flat-xml.ts';

/**
 * Safe XML for WeChat pushes: no DOCTYPE, no entity declarations, size- and depth-limited, no
 * element named after a JavaScript object internal, values kept as strings (so `0012` and long
 * MsgIds stay exact) and storable (no NUL, no unpaired surrogate). Returns the children of the
 * root element.
 */
export const MAX_XML_BYTES = 64 * 1024;
/** Elements nested deeper than this (the root counts as one) are refused; pushes use about 4. */
export const MAX_XML_DEPTH = 32;

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Only the five predefined references (&amp; &lt; …): DOCTYPEs are refused before parsing.
  processEntities: true,
  // Numeric references (&#38; &#x3C;) are decoded only together with the named HTML ones.
  htmlEntities: true,
  ignoreDeclaration: true,
  cdataPropName: false,
  // The parser counts the elements open above the current one.
  maxNestedTags: MAX_XML_DEPTH - 1,
});

/** Names fast-xml-parser refuses, and that no WeChat push uses. */
const RESERVED_NAME = /Invalid name: "([^"]+)" is a reserved/;

// eslint-disable-next-line no-control-regex -- NUL is exactly what must go
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** The same, without the global flag's state, for a yes/no test. */
const HAS_UNSTORABLE = new RegExp(UNSTORABLE.source);

/**
 * Replaces what PostgreSQL text and JSON cannot hold — NUL and unpaired UTF-16 surrogates (from
 * character references) — with U+FFFD, the character invalid UTF-8 already decodes to.
 */
export function sanitizeText(value: string): string {
  return value.replace(UNSTORABLE, '\ufffd');
}

const FORBIDDEN = /<!DOCTYPE|<!ENTITY|<!\[INCLUDE|<!\[IGNORE/i;

export function parseXml(input: string | Buffer, maxBytes = MAX_XML_BYTES): XmlObject {
  const text = admitted(input, maxBytes);
  // WeChat's pushes take the one-pass reader; anything else (or malformed) the full parser.
  const flat = parseFlatXml(text);
  if (flat === undefined) return parseFull(text);
  return HAS_UNSTORABLE.test(text) ? dropIndentation(flat) : flat;
}

/**
 * parseXml without the one-pass reader: every document through the validator and
 * fast-xml-parser. Same checks, same results; kept to compare the two.
 */
export function parseXmlFull(input: string | Buffer, maxBytes = MAX_XML_BYTES): XmlObject {
  return parseFull(admitted(input, maxBytes));
}

/** The size limit and the DOCTYPE/entity refusal, before any parsing. */
function admitted(input: string | Buffer, maxBytes: number): string {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > maxBytes)
    throw new WxCryptoError('ParseXmlError', `XML larger than ${maxBytes} bytes`);
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (FORBIDDEN.test(text))
    throw new WxCryptoError('ParseXmlError', 'XML with a DOCTYPE or entity is refused');
  return text;
}

function parseFull(text: string): XmlObject {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new WxCryptoError('ParseXmlError', `malformed XML: ${valid.err.msg}`);
  const doc = parseChecked(text);
  const root = doc['xml'];
  if (root === undefined) throw new WxCryptoError('ParseXmlError', 'missing <xml> root element');
  if (typeof root === 'string') return {};
  return dropIndentation(root as XmlObject);
}

function parseChecked(text: string): Record<string, unknown> {
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const reserved = RESERVED_NAME.exec(message);
    if (reserved)
      throw new WxCryptoError('ParseXmlError', `element named "${reserved[1]}" is refused`);
    if (/nested tags/i.test(message))
      throw new WxCryptoError('ParseXmlError', `XML nested deeper than ${MAX_XML_DEPTH} elements`);
    throw new WxCryptoError('ParseXmlError', `malformed XML: ${message}`);
  }
}

/**
 * Pretty-printed XML leaves whitespace text between elements; it is not a field. Text values are
 * made storable (sanitizeText).
 */
function dropIndentation(obj: XmlObject): XmlObject {
  for (const [k, v] of Object.entries(obj)) {
    if (k === '#text' && typeof v === 'string' && v.trim() === '') delete obj[k];
    else if (typeof v === 'string') obj[k] = sanitizeText(v);
    else if (Array.isArray(v))
      v.forEach((x, i) => {
        if (typeof x === 'string') v[i] = sanitizeText(x);
        else if (!Array.isArray(x)) dropIndentation(x);
      });
    else dropIndentation(v);
  }
  return obj;
}

/** Reads a top-level string field (undefined when absent or not text). */
export function xmlText(obj: XmlObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}

/** Converts a parsed XML object into plain JSON (nested objects, arrays, strings). */
export function xmlToJson(obj: XmlObject): Record<string, unknown> {
  return JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
}

const NUMERIC = /^-?\d+$/;

function escapeCdata(value: string): string {
  return value.split(']]>').join(']]]]><![CDATA[>');
}

function buildValue(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => buildValue(key, v)).join('');
  if (value !== null && typeof value === 'object') {
    return `<${key}>${buildChildren(value as Record<string, unknown>)}</${key}>`;
  }
  const text = String(value ?? '');
  if (
    typeof value === 'number' ||
    (NUMERIC.test(text) && (key === 'CreateTime' || key.endsWith('Time')))
  ) {
    return `<${key}>${text}</${key}>`;
  }
  return `<${key}><![CDATA[${escapeCdata(text)}]]></${key}>`;
}

function buildChildren(obj: Record<string, unknown>): string {
  return Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => buildValue(k, v))
    .join('');
}

/** Builds `<xml>…</xml>` with CDATA text and bare numbers (numbers given as JS numbers). */
export function buildXml(obj: Record<string, unknown>): string {
  return `<xml>${buildChildren(obj)}</xml>`;
}
