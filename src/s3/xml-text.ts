/**
 * XML 1.0's character rules, for text going into and coming out of S3 XML documents.
 * XML 1.0 can carry tab, LF, CR and everything from U+0020 up except surrogates, U+FFFE and
 * U+FFFF — not even as a character reference (`&#0;` is not well-formed).
 */

/** One character XML 1.0 cannot carry (with the `u` flag a lone surrogate counts as one). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** A failure to read a document as well-formed XML; the S3 layer answers it as `MalformedXML`. */
export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
}

/** The first character of `text` that XML 1.0 cannot carry, with its UTF-16 index. */
export function firstNonXmlChar(text: string): { index: number; codePoint: number } | undefined {
  const match = NOT_XML_CHAR.exec(text);
  if (match === null) return undefined;
  return { index: match.index, codePoint: match[0].codePointAt(0)! };
}

export function isXmlCodePoint(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/** `U+000D`: how a message names a character. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A parser turns a raw CR (or CRLF) into LF and may trim or fold raw tabs and newlines;
  // character references are read back exactly.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

const ESCAPED = new RegExp(`[&<>"'\\t\\n\\r]|${NOT_XML_CHAR.source}`, 'gu');

/**
 * Escapes text for an element or attribute value so that any XML 1.0 parser reads it back
 * exactly. A character XML 1.0 cannot carry at all becomes U+FFFD: the document stays
 * well-formed (Vigil refuses such keys at write time, so only keys stored before that can
 * meet this; `encoding-type=url` lists them exactly).
 */
export function escapeXmlText(text: string): string {
  return text.replace(ESCAPED, (c) => ESCAPES[c] ?? '\uFFFD');
}

const PREDEFINED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/**
 * Replaces XML's five predefined entities and character references (`&#13;`, `&#x0D;`).
 * Anything else is not well-formed without a DTD, and Vigil accepts no DTD: an undeclared
 * entity, a bare `&`, or a reference to a character XML cannot carry throws XmlSyntaxError.
 */
export function decodeXmlReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^&;]*)(;?)/g, (_match, name: string, semicolon: string) => {
    if (semicolon === '') throw new XmlSyntaxError('"&" does not start a reference');
    if (Object.hasOwn(PREDEFINED, name)) return PREDEFINED[name]!;
    const codePoint = /^#x[0-9A-Fa-f]+$/.test(name)
      ? parseInt(name.slice(2), 16)
      : /^#[0-9]+$/.test(name)
        ? parseInt(name.slice(1), 10)
        : undefined;
    if (codePoint === undefined) throw new XmlSyntaxError(`undeclared entity &${name};`);
    if (!isXmlCodePoint(codePoint))
      throw new XmlSyntaxError(`reference to ${codePointName(codePoint)}, not an XML character`);
    return String.fromCodePoint(codePoint);
  });
}

/**
 * fast-xml-parser's entity hook, made strict: predefined entities and character references
 * only. Declared entities never get this far (a DOCTYPE is refused before parsing); should
 * the parser ever report some, the document is refused rather than expanded.
 */
export const strictEntityDecoder = {
  decode: decodeXmlReferences,
  addInputEntities(entities: Record<string, string>): void {
    if (Object.keys(entities).length > 0)
      throw new XmlSyntaxError('entity declarations are not accepted');
  },
  setExternalEntities(entities: Record<string, string>): void {
    if (Object.keys(entities).length > 0)
      throw new XmlSyntaxError('entity declarations are not accepted');
  },
  reset(): void {},
  setXmlVersion(): void {},
};
