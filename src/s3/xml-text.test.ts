import { describe, expect, it } from 'vitest';
import {
  decodeXmlReferences,
  escapeXmlText,
  firstNonXmlChar,
  strictEntityDecoder,
  XmlSyntaxError,
} from './xml-text.js';

describe('XML 1.0 characters', () => {
  it.each([
    ['a\u0000b', 0x0],
    ['\u0001', 0x1],
    ['\u0008', 0x8],
    ['\u000B', 0xb],
    ['\u000C', 0xc],
    ['\u000E', 0xe],
    ['\u001F', 0x1f],
    ['\uFFFE', 0xfffe],
    ['\uFFFF', 0xffff],
    ['x\uD800', 0xd800],
    ['\uDC00x', 0xdc00],
  ])('finds %j as a character XML cannot carry', (text, codePoint) => {
    expect(firstNonXmlChar(text)?.codePoint).toBe(codePoint);
  });

  it('accepts tab, LF, CR, DEL, C1 controls, astral characters and U+FFFD', () => {
    expect(firstNonXmlChar('\t\n\r\u007F\u0085\u2028😀\uFFFD\uE000\u{10FFFF}')).toBeUndefined();
  });

  it('escapes markup and whitespace a parser would alter, and replaces what XML cannot carry', () => {
    expect(escapeXmlText(`a&b<c>"d'e`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;e');
    expect(escapeXmlText('t\tl\nc\rcrlf\r\n')).toBe('t&#9;l&#10;c&#13;crlf&#13;&#10;');
    expect(escapeXmlText('nul\u0000 \uFFFF \uD800 😀')).toBe('nul\uFFFD \uFFFD \uFFFD 😀');
  });

  it('decodes predefined entities and character references', () => {
    expect(decodeXmlReferences('&amp;&lt;&gt;&quot;&apos;')).toBe(`&<>"'`);
    expect(decodeXmlReferences('a&#13;b&#x0D;c&#x0A;d&#9;e&#x1F600;f&#x000041;')).toBe(
      'a\rb\rc\nd\te😀fA',
    );
  });

  it.each(['&#0;', '&#x1;', '&#xFFFE;', '&#xD800;', '&#x110000;', '&nbsp;', '&a', 'a & b', '&;'])(
    'refuses %j',
    (text) => {
      expect(() => decodeXmlReferences(text)).toThrow(XmlSyntaxError);
    },
  );

  it('refuses declared entities instead of expanding them', () => {
    expect(() => strictEntityDecoder.addInputEntities({ k: 'keep' })).toThrow(XmlSyntaxError);
  });
});
