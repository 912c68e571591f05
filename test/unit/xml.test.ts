import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WxCryptoError } from '../../src/crypto/errors.ts';
import {
  buildXml,
  MAX_XML_BYTES,
  MAX_XML_DEPTH,
  parseXml,
  sanitizeText,
  xmlText,
  xmlToJson,
} from '../../src/crypto/xml.ts';

/** Safe XML for WeChat pushes (../shared/wechat/01 §1.6, §1.12; design §3.6). */

function assertRefused(input: string | Buffer, pattern?: RegExp, maxBytes?: number): void {
  assert.throws(
    () => (maxBytes === undefined ? parseXml(input) : parseXml(input, maxBytes)),
    (err: unknown) => {
      assert.ok(err instanceof WxCryptoError, `expected WxCryptoError, got ${String(err)}`);
      assert.equal(err.reason, 'ParseXmlError');
      assert.equal(err.wxCode, -40002);
      if (pattern) assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('parseXml: refusals', () => {
  it('refuses a DOCTYPE (XXE and entity expansion never happen)', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      '<xml><Content>&xxe;</Content></xml>';
    assertRefused(xxe, /DOCTYPE/);
    const laughs =
      '<!DOCTYPE xml [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><a>&b;</a></xml>';
    assertRefused(laughs, /DOCTYPE/);
    assertRefused('<!doctype xml><xml><a>1</a></xml>', /DOCTYPE/);
    assertRefused('<!DOCTYPE xml SYSTEM "http://example.invalid/x.dtd"><xml/>', /DOCTYPE/);
  });

  it('refuses an ENTITY declaration even without a DOCTYPE', () => {
    assertRefused('<xml><!ENTITY x "y"><a>1</a></xml>', /entity/i);
    assertRefused('<xml><a>1</a><!entity x SYSTEM "file:///etc/hostname"></xml>', /entity/i);
  });

  it('refuses malformed XML', () => {
    for (const bad of [
      '',
      'success',
      '<xml><a>x</a>',
      '<xml><a>x</b></xml>',
      '<xml><a>x</a></xml><xml><a>y</a></xml>',
      '<xml><a><![CDATA[x]></a></xml>',
      '{"xml":"json"}',
    ]) {
      assertRefused(bad);
    }
  });

  it('refuses a document whose root is not <xml>', () => {
    assertRefused('<root><a>1</a></root>', /xml/);
  });

  it('refuses a document over the size limit, counted in bytes', () => {
    const filler = (n: number) =>
      `<xml><a>${'x'.repeat(n - '<xml><a></a></xml>'.length)}</a></xml>`;
    const atLimit = filler(MAX_XML_BYTES);
    assert.equal(Buffer.byteLength(atLimit), MAX_XML_BYTES);
    assert.equal(xmlText(parseXml(atLimit), 'a')?.length, MAX_XML_BYTES - 18);
    assertRefused(filler(MAX_XML_BYTES + 1), /larger than/);
    assertRefused(Buffer.from(filler(MAX_XML_BYTES + 1)), /larger than/);
    // 30 000 Chinese characters: under the limit in characters, over it in UTF-8 bytes.
    const chinese = `<xml><a>${'中'.repeat(30_000)}</a></xml>`;
    assert.ok(chinese.length < MAX_XML_BYTES);
    assertRefused(chinese, /larger than/);
    // A caller-chosen limit.
    assertRefused('<xml><a>12345</a></xml>', /larger than 10 bytes/, 10);
    assert.deepEqual(parseXml('<xml><a>1</a></xml>', 20), { a: '1' });
  });
});

describe('parseXml: hostile structure', () => {
  it('refuses XML nested deeper than the limit, and keeps ordinary nesting', () => {
    const nested = (depth: number) =>
      `<xml>${'<a>'.repeat(depth - 1)}x${'</a>'.repeat(depth - 1)}</xml>`;
    assert.doesNotThrow(() => parseXml(nested(MAX_XML_DEPTH)));
    assertRefused(nested(MAX_XML_DEPTH + 1), /nested deeper than 32/);
    assertRefused(`<xml>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</xml>`, /nested deeper/);
  });

  it('refuses elements named after JavaScript object internals', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      assertRefused(`<xml><${name}><a>1</a></${name}><B>x</B></xml>`, new RegExp(name));
    }
    assert.equal(({} as Record<string, unknown>)['a'], undefined);
  });

  it('replaces NUL and unpaired surrogates, which a database cannot hold, with U+FFFD', () => {
    const doc = parseXml('<xml><A>a\u0000b</A><B><C><![CDATA[\u0000]]></C></B></xml>');
    assert.deepEqual(doc, { A: 'a\ufffdb', B: { C: '\ufffd' } });
    assert.equal(sanitizeText('x\ud800y\udc00\u{1F600}'), 'x\ufffdy\ufffd\u{1F600}');
  });
});

describe('parseXml: values', () => {
  it('keeps values as strings: leading zeros and 19-digit MsgIds stay exact', () => {
    const doc = parseXml(
      '<xml><Code>0012</Code><MsgId>1234567890123456789</MsgId><Big>98765432109876543210</Big>' +
        '<CreateTime>1700000000</CreateTime><Neg>-1</Neg><Dec>1.50</Dec><Flag>true</Flag></xml>',
    );
    assert.deepEqual(doc, {
      Code: '0012',
      MsgId: '1234567890123456789',
      Big: '98765432109876543210',
      CreateTime: '1700000000',
      Neg: '-1',
      Dec: '1.50',
      Flag: 'true',
    });
    assert.equal(xmlText(doc, 'MsgId'), '1234567890123456789');
  });

  it('unwraps CDATA exactly: markup characters, newlines, spaces and split ]]> survive', () => {
    const doc = parseXml(
      '<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>' +
        '<Content><![CDATA[<b>a & b</b>\n  second line  ]]></Content>' +
        '<Split><![CDATA[x]]]]><![CDATA[>y]]></Split>' +
        '<Empty><![CDATA[]]></Empty>' +
        '<Name><![CDATA[我是中文]]></Name>' +
        '<Encrypt><![CDATA[ab+/cd==]]></Encrypt></xml>',
    );
    assert.equal(xmlText(doc, 'ToUserName'), 'gh_7f083739789a');
    assert.equal(xmlText(doc, 'Content'), '<b>a & b</b>\n  second line  ');
    assert.equal(xmlText(doc, 'Split'), 'x]]>y');
    assert.equal(xmlText(doc, 'Empty'), '');
    assert.equal(xmlText(doc, 'Name'), '我是中文');
    assert.equal(xmlText(doc, 'Encrypt'), 'ab+/cd==', '+ and / are kept');
    // Text outside CDATA is not trimmed either.
    assert.equal(xmlText(parseXml('<xml><a>  padded\n</a></xml>'), 'a'), '  padded\n');
  });

  it('reads nested elements as objects and repeated elements as arrays', () => {
    const doc = parseXml(
      '<xml><Video><MediaId><![CDATA[m1]]></MediaId><Title>t</Title></Video>' +
        '<Item>1</Item><Item>2</Item></xml>',
    );
    assert.deepEqual(doc['Video'], { MediaId: 'm1', Title: 't' });
    assert.deepEqual(doc['Item'], ['1', '2']);
    assert.equal(xmlText(doc, 'Video'), undefined, 'xmlText reads text fields only');
    assert.equal(xmlText(doc, 'Missing'), undefined);
    assert.deepEqual(xmlToJson(doc), {
      Video: { MediaId: 'm1', Title: 't' },
      Item: ['1', '2'],
    });
  });

  it('accepts an XML declaration, an empty root, and a Buffer', () => {
    assert.deepEqual(parseXml('<?xml version="1.0" encoding="UTF-8"?><xml><a>1</a></xml>'), {
      a: '1',
    });
    assert.deepEqual(parseXml('<xml></xml>'), {});
    assert.deepEqual(parseXml(Buffer.from('<xml><a>中</a></xml>')), { a: '中' });
  });

  it('pretty-printed XML (as in the documented ticket push) gives the same fields as compact XML', () => {
    const pretty =
      '<xml>\n  <AppId>wx0123456789abcdef</AppId>\n  <CreateTime>1700000000</CreateTime>\n' +
      '  <InfoType>component_verify_ticket</InfoType>\n</xml>';
    assert.deepEqual(xmlToJson(parseXml(pretty)), {
      AppId: 'wx0123456789abcdef',
      CreateTime: '1700000000',
      InfoType: 'component_verify_ticket',
    });
    const nested =
      '<xml>\n  <Video>\n    <MediaId>m</MediaId>\n  </Video>\n' +
      '  <Item>\n    <b>1</b>\n  </Item>\n  <Item>\n    <b>2</b>\n  </Item>\n</xml>';
    assert.deepEqual(xmlToJson(parseXml(nested)), {
      Video: { MediaId: 'm' },
      Item: [{ b: '1' }, { b: '2' }],
    });
  });

  it('decodes the predefined entity references in text, but not inside CDATA', () => {
    assert.equal(
      xmlText(parseXml('<xml><a>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</a></xml>'), 'a'),
      'a & b <c> "d" \'e\'',
    );
    assert.equal(xmlText(parseXml('<xml><a><![CDATA[&amp; &lt;]]></a></xml>'), 'a'), '&amp; &lt;');
    // An undeclared entity is not expanded (and nothing can declare one).
    assert.equal(xmlText(parseXml('<xml><a>&xxe;</a></xml>'), 'a'), '&xxe;');
  });

  it('decodes numeric character references in text (&#38; &#x3C;)', () => {
    assert.equal(xmlText(parseXml('<xml><a>&#38; &#x3C;&#20013;</a></xml>'), 'a'), '& <中');
  });
});

describe('buildXml', () => {
  it('builds XML that parses back to the same values', () => {
    const input = {
      ToUserName: 'gh_000000000000',
      FromUserName: 'oABCDEFG-1234_xyz',
      CreateTime: 1700000000,
      MsgType: 'text',
      Content: 'a <b> & "c" ]]> 我是中文\nline 2',
      MsgId: '1234567890123456789',
      Code: '0012',
      Empty: '',
      Skipped: undefined,
      Video: { MediaId: 'm1', Title: 'x]]>y' },
      Item: ['1', '2', '3'],
    };
    const xml = buildXml(input);
    assert.match(xml, /^<xml>.*<\/xml>$/s);
    assert.ok(xml.includes('<CreateTime>1700000000</CreateTime>'), 'numbers are bare');
    assert.ok(!xml.includes('Skipped'), 'undefined fields are left out');
    const back = parseXml(xml);
    assert.deepEqual(back, {
      ToUserName: 'gh_000000000000',
      FromUserName: 'oABCDEFG-1234_xyz',
      CreateTime: '1700000000',
      MsgType: 'text',
      Content: 'a <b> & "c" ]]> 我是中文\nline 2',
      MsgId: '1234567890123456789',
      Code: '0012',
      Empty: '',
      Video: { MediaId: 'm1', Title: 'x]]>y' },
      Item: ['1', '2', '3'],
    });
  });

  it('cannot be tricked into closing the CDATA section and injecting elements', () => {
    const xml = buildXml({ Content: ']]></Content><Injected>1</Injected><Content><![CDATA[' });
    const back = parseXml(xml);
    assert.deepEqual(Object.keys(back), ['Content']);
    assert.equal(xmlText(back, 'Content'), ']]></Content><Injected>1</Injected><Content><![CDATA[');
  });
});
