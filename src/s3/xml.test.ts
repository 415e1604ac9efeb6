import { describe, expect, it } from 'vitest';
import { S3Error } from './errors.js';
import { buildXml, children, parseXmlBody, text } from './xml.js';

describe('S3 XML', () => {
  it('keeps values that look like numbers or booleans as exact strings', () => {
    const root = parseXmlBody(
      '<Delete><Object><Key>123</Key></Object><Object><Key>1e5</Key></Object><Object><Key> 007 </Key></Object><Quiet>true</Quiet></Delete>',
      'Delete',
    );
    expect(children(root, 'Object').map((o) => text(o, 'Key'))).toEqual(['123', '1e5', ' 007 ']);
    expect(text(root, 'Quiet')).toBe('true');
  });
  it('parses a single repeated element as a list', () => {
    const root = parseXmlBody(
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"0x10"</ETag></Part></CompleteMultipartUpload>',
      'CompleteMultipartUpload',
    );
    expect(children(root, 'Part').map((p) => text(p, 'ETag'))).toEqual(['"0x10"']);
  });
  it.each(['', '<Delete><Object></Delete>', 'not xml', '<Other/>'])(
    'rejects %j as MalformedXML',
    (body) => {
      expect(() => parseXmlBody(body, 'Delete')).toThrow(S3Error);
    },
  );
  it('escapes keys on output', () => {
    expect(buildXml('R', { Key: 'a&b<c>"d' })).toContain('<Key>a&amp;b&lt;c&gt;&quot;d</Key>');
  });
  it('writes tab, LF and CR as character references, and never a character XML cannot carry', () => {
    const xml = buildXml('R', { Key: ['t\tl\nc\r', 'nul\u0000'] });
    expect(xml).toContain('<Key>t&#9;l&#10;c&#13;</Key><Key>nul\uFFFD</Key>');
    expect(buildXml('R', {}, 'urn:a&b')).toContain('xmlns="urn:a&amp;b"');
  });
  it('reads character references back exactly', () => {
    const root = parseXmlBody(
      '<Delete><Object><Key>t&#9;l&#10;c&#13;x&#x0D;&#x0A;&amp;</Key></Object></Delete>',
      'Delete',
    );
    expect(children(root, 'Object').map((o) => text(o, 'Key'))).toEqual(['t\tl\nc\rx\r\n&']);
  });
  it("reads part ETags quoted as Go's encoder writes them (&#34;), as rclone sends them", () => {
    const root = parseXmlBody(
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;9b2cf535f27731c974343645a3985328&#34;</ETag></Part></CompleteMultipartUpload>',
      'CompleteMultipartUpload',
    );
    expect(children(root, 'Part').map((p) => text(p, 'ETag'))).toEqual([
      '"9b2cf535f27731c974343645a3985328"',
    ]);
  });
  it.each([
    [
      'a DTD',
      '<!DOCTYPE Delete [<!ENTITY k "v">]><Delete><Object><Key>&k;</Key></Object></Delete>',
    ],
    ['a DOCTYPE inside an element', '<Delete><Object><Key><!DOCTYPE x>k</Key></Object></Delete>'],
    ['an undeclared entity', '<Delete><Object><Key>&nbsp;</Key></Object></Delete>'],
    ['a reference to U+0000', '<Delete><Object><Key>a&#0;</Key></Object></Delete>'],
    ['a raw U+0001', '<Delete><Object><Key>a\u0001</Key></Object></Delete>'],
    ['33 levels below the root', `<Delete>${'<a>'.repeat(33)}${'</a>'.repeat(33)}</Delete>`],
    ['an element named __proto__', '<Delete><__proto__/></Delete>'],
    ['an element named constructor', '<Delete><constructor/></Delete>'],
    ['two roots', '<Delete><Object><Key>a</Key></Object></Delete><Delete/>'],
  ])('refuses %s as MalformedXML', (_what, body) => {
    expect(() => parseXmlBody(body, 'Delete')).toThrow(
      expect.objectContaining({ code: 'MalformedXML' }),
    );
  });
  it('accepts 32 levels below the root, far deeper than any S3 document', () => {
    const root = parseXmlBody(
      `<Delete><Object><Key>k</Key>${'<a>'.repeat(31)}${'</a>'.repeat(31)}</Object></Delete>`,
      'Delete',
    );
    expect(children(root, 'Object').map((o) => text(o, 'Key'))).toEqual(['k']);
  });
});
