import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WxCryptoError } from '../../src/crypto/errors.ts';
import { parseFlatXml } from '../../src/crypto/flat-xml.ts';
import { MAX_XML_BYTES, parseXml, parseXmlFull, xmlToJson } from '../../src/crypto/xml.ts';

/**
 * The one-pass reader behind parseXml must give exactly what the full parser (validator +
 * fast-xml-parser) gives: the same fields, or the same refusal with the same message.
 */

type Outcome = { ok: true; value: unknown; json: string } | { ok: false; error: string };

function outcome(parse: (s: string) => unknown, input: string): Outcome {
  try {
    const value = parse(input);
    return { ok: true, value, json: JSON.stringify(value) };
  } catch (err) {
    assert.ok(err instanceof WxCryptoError, `expected WxCryptoError, got ${String(err)}`);
    assert.equal(err.reason, 'ParseXmlError');
    return { ok: false, error: err.message };
  }
}

/** Same fields (same key order, as stored) or the same refusal. */
function assertSame(input: string): Outcome {
  const fast = outcome(parseXml, input);
  const full = outcome(parseXmlFull, input);
  assert.equal(fast.ok, full.ok, `accepted by one parser only: ${JSON.stringify(input)}`);
  if (fast.ok && full.ok) {
    assert.deepStrictEqual(fast.value, full.value, JSON.stringify(input));
    assert.equal(fast.json, full.json, `key order differs: ${JSON.stringify(input)}`);
  } else if (!fast.ok && !full.ok) {
    assert.equal(fast.error, full.error, JSON.stringify(input));
  }
  return fast;
}

// Message and event samples in the form WeChat documents them (ids are fakes).
const DOC_MESSAGES =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html';
const DOC_MENU =
  'https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Custom_Menu_Push_Events.html';
const DOC_MASS =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html';
const DOC_TICKET =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/component_verify_ticket.html';

const SAMPLES: { source: string; xml: string; fields: Record<string, unknown> }[] = [
  {
    source: 'safe-mode envelope (消息加解密说明)',
    xml: '<xml><ToUserName><![CDATA[gh_000000000000]]></ToUserName><Encrypt><![CDATA[ab+/cd==]]></Encrypt></xml>',
    fields: { ToUserName: 'gh_000000000000', Encrypt: 'ab+/cd==' },
  },
  {
    source: DOC_TICKET,
    xml:
      '<xml>\n<AppId>wx0000000000000000</AppId>\n<CreateTime>1413192605</CreateTime>\n' +
      '<InfoType>component_verify_ticket</InfoType>\n' +
      '<ComponentVerifyTicket>ticket@@@fake</ComponentVerifyTicket>\n</xml>',
    fields: {
      AppId: 'wx0000000000000000',
      CreateTime: '1413192605',
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: 'ticket@@@fake',
    },
  },
  {
    source: DOC_MESSAGES,
    xml:
      '<xml>\n  <ToUserName><![CDATA[gh_000000000000]]></ToUserName>\n' +
      '  <FromUserName><![CDATA[oFAKEopenid0000000000000000]]></FromUserName>\n' +
      '  <CreateTime>1348831860</CreateTime>\n  <MsgType><![CDATA[text]]></MsgType>\n' +
      '  <Content><![CDATA[this is a test 我是中文]]></Content>\n  <MsgId>1234567890123456</MsgId>\n' +
      '  <MsgDataId>xxxx</MsgDataId>\n  <Idx>xxxx</Idx>\n</xml>',
    fields: {
      ToUserName: 'gh_000000000000',
      FromUserName: 'oFAKEopenid0000000000000000',
      CreateTime: '1348831860',
      MsgType: 'text',
      Content: 'this is a test 我是中文',
      MsgId: '1234567890123456',
      MsgDataId: 'xxxx',
      Idx: 'xxxx',
    },
  },
  {
    source: DOC_MENU,
    xml:
      '<xml><ToUserName><![CDATA[gh_000000000000]]></ToUserName>' +
      '<FromUserName><![CDATA[oFAKEopenid]]></FromUserName><CreateTime>1408090502</CreateTime>' +
      '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[scancode_push]]></Event>' +
      '<EventKey><![CDATA[6]]></EventKey><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>\n' +
      '<ScanResult><![CDATA[1]]></ScanResult>\n</ScanCodeInfo>\n</xml>',
    fields: {
      ToUserName: 'gh_000000000000',
      FromUserName: 'oFAKEopenid',
      CreateTime: '1408090502',
      MsgType: 'event',
      Event: 'scancode_push',
      EventKey: '6',
      ScanCodeInfo: { ScanType: 'qrcode', ScanResult: '1' },
    },
  },
  {
    source: DOC_MENU,
    xml:
      '<xml><ToUserName><![CDATA[gh_000000000000]]></ToUserName>' +
      '<CreateTime>1408090816</CreateTime><MsgType><![CDATA[event]]></MsgType>' +
      '<Event><![CDATA[pic_weixin]]></Event><EventKey><![CDATA[6]]></EventKey>' +
      '<SendPicsInfo><Count>2</Count>\n<PicList><item><PicMd5Sum><![CDATA[5a75aaca956d97be686719218f275c6b]]></PicMd5Sum>\n</item>\n' +
      '<item><PicMd5Sum><![CDATA[7b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum>\n</item>\n</PicList>\n</SendPicsInfo>\n</xml>',
    fields: {
      ToUserName: 'gh_000000000000',
      CreateTime: '1408090816',
      MsgType: 'event',
      Event: 'pic_weixin',
      EventKey: '6',
      SendPicsInfo: {
        Count: '2',
        PicList: {
          item: [
            { PicMd5Sum: '5a75aaca956d97be686719218f275c6b' },
            { PicMd5Sum: '7b5f7c23b5bf75682a53e7b6d163e185' },
          ],
        },
      },
    },
  },
  {
    source: DOC_MASS,
    xml:
      '<xml><ToUserName><![CDATA[gh_000000000000]]></ToUserName><CreateTime>1394524295</CreateTime>' +
      '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event>' +
      '<MsgID>1988</MsgID><Status><![CDATA[sendsuccess]]></Status><TotalCount>100</TotalCount>' +
      '<CopyrightCheckResult><Count>1</Count><ResultList><item><ArticleIdx>1</ArticleIdx>' +
      '<UserDeclareState>0</UserDeclareState><AuditState>2</AuditState>' +
      '<OriginalArticleUrl><![CDATA[Url_1]]></OriginalArticleUrl><OriginalArticleType>1</OriginalArticleType>' +
      '<CanReprint>1</CanReprint><NeedReplaceContent>1</NeedReplaceContent><NeedShowReprintSource>1</NeedShowReprintSource>' +
      '</item></ResultList><CheckState>2</CheckState></CopyrightCheckResult></xml>',
    fields: {
      ToUserName: 'gh_000000000000',
      CreateTime: '1394524295',
      MsgType: 'event',
      Event: 'MASSSENDJOBFINISH',
      MsgID: '1988',
      Status: 'sendsuccess',
      TotalCount: '100',
      CopyrightCheckResult: {
        Count: '1',
        ResultList: {
          item: {
            ArticleIdx: '1',
            UserDeclareState: '0',
            AuditState: '2',
            OriginalArticleUrl: 'Url_1',
            OriginalArticleType: '1',
            CanReprint: '1',
            NeedReplaceContent: '1',
            NeedShowReprintSource: '1',
          },
        },
        CheckState: '2',
      },
    },
  },
];

describe('parseXml: the one-pass reader', () => {
  it('reads WeChat’s documented pushes in one pass, with the full parser’s result', () => {
    for (const sample of SAMPLES) {
      assert.ok(parseFlatXml(sample.xml) !== undefined, `not read in one pass: ${sample.source}`);
      const got = assertSame(sample.xml);
      assert.ok(got.ok);
      assert.deepStrictEqual(xmlToJson(parseXml(sample.xml)), sample.fields, sample.source);
    }
  });

  it('keeps values exact: CDATA sections joined, text untrimmed, empty elements, repeats as arrays', () => {
    const xml =
      '<xml><Split><![CDATA[x]]]]><![CDATA[>y]]></Split><Pad>  a b \n</Pad><Empty></Empty>' +
      '<Self/><Item>1</Item><Item><![CDATA[2]]></Item><Item><b>3</b></Item><Nul>a\u0000b</Nul></xml>';
    assert.ok(parseFlatXml(xml) !== undefined);
    assertSame(xml);
    assert.deepStrictEqual(parseXml(xml), {
      Split: 'x]]>y',
      Pad: '  a b \n',
      Empty: '',
      Self: '',
      Item: ['1', '2', { b: '3' }],
      Nul: 'a\ufffdb',
    });
  });

  it('turns CR LF and lone CR into LF, in text and in CDATA, as the full parser does', () => {
    const xml = '<xml>\r\n<A>a\r\nb\rc</A>\r\n<B><![CDATA[x\r\ny\r]]></B>\r\n</xml>\r\n';
    assert.ok(parseFlatXml(xml) !== undefined);
    assertSame(xml);
    assert.deepStrictEqual(parseXml(xml), { A: 'a\nb\nc', B: 'x\ny\n' });
  });

  it('hands anything beyond the simple form to the full parser, which answers as before', () => {
    for (const xml of [
      '<?xml version="1.0" encoding="UTF-8"?><xml><a>1</a></xml>',
      '<xml><a b="1">x</a></xml>',
      '<xml><!-- note --><a>1</a></xml>',
      '<xml><a>a &amp; b &lt;c&gt; &#38; &#x4E2D;</a></xml>',
      '<xml><a>&nbsp;&xxe;</a></xml>',
      '<xml><a>1 > 0</a></xml>',
      '<xml><a>text<b>1</b></a></xml>',
      '<xml><a> <![CDATA[x]]></a></xml>',
      '<xml><toString>1</toString><valueOf>2</valueOf><isPrototypeOf>3</isPrototypeOf></xml>',
      '<xml><ns:a>1</ns:a></xml>',
      '<xml>loose text<a>x</a></xml>',
      ` <xml><a>1</a></xml>`,
      `<xml>${'<a>'.repeat(12)}x${'</a>'.repeat(12)}</xml>`,
    ]) {
      assert.equal(parseFlatXml(xml), undefined, xml);
      const got = assertSame(xml);
      assert.ok(got.ok, `refused: ${xml}`);
    }
  });

  it('refuses malformed documents with the same error as before', () => {
    for (const xml of [
      '<xml><a>x</b></xml>',
      '<xml><a>x</a>',
      '<xml><a><![CDATA[x]></a></xml>',
      '<xml><a><![CDATA[x</a></xml>',
      '<xml><a>x</a></xml>trailing',
      '<xml><a>x</a></xml><xml></xml>',
      '<xml><a>x</a ></xml><',
      '<xml><__proto__>1</__proto__></xml>',
      '<xml><constructor><a>1</a></constructor></xml>',
      `<xml>${'<a>'.repeat(40)}${'</a>'.repeat(40)}</xml>`,
      '<xml><!DOCTYPE x><a>1</a></xml>',
      '<xml><a><![CDATA[<!ENTITY x "y">]]></a></xml>',
    ]) {
      const got = assertSame(xml);
      assert.equal(got.ok, false, `accepted: ${xml}`);
    }
    assert.throws(
      () => parseXml(`<xml><a>${'x'.repeat(MAX_XML_BYTES)}</a></xml>`),
      /larger than 65536 bytes/,
    );
  });

  it('agrees with the full parser on generated and mutated documents', () => {
    const rnd = mulberry32(20261207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
    let readInOnePass = 0;
    let accepted = 0;
    const runs = 4000;
    for (let i = 0; i < runs; i++) {
      const gen = new DocGenerator(rnd, pick, i % 2 === 0);
      let xml = gen.document();
      if (rnd() < (gen.plain ? 0.1 : 0.4)) xml = gen.mutate(xml);
      if (parseFlatXml(xml) !== undefined) readInOnePass++;
      if (assertSame(xml).ok) accepted++;
    }
    // The generator reaches both paths and both answers.
    assert.ok(readInOnePass > runs / 10, `one pass: ${readInOnePass}`);
    assert.ok(accepted > readInOnePass, `accepted: ${accepted}`);
    assert.ok(accepted < runs * 0.9, `accepted: ${accepted}`);
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Documents near WeChat's form (`plain`) or anywhere around it, with XML's special characters. */
class DocGenerator {
  static readonly PLAIN_CHARS = [
    'a',
    'Z',
    '0',
    ' ',
    '\n',
    '\r',
    '\t',
    ']',
    '[',
    '/',
    '!',
    '?',
    '=',
    '"',
    "'",
    '中',
    '😀',
    '\u0000',
    '.',
    '-',
    ':',
    '\ud800',
  ];
  static readonly HOSTILE_CHARS = [
    ...DocGenerator.PLAIN_CHARS,
    '&',
    '<',
    '>',
    ']]>',
    '&amp;',
    '&lt;',
    '&#38;',
    '&#x3C;',
    '&nbsp;',
    '&xx;',
    '&#0;',
    '<!--',
    '-->',
    '<![CDATA[',
    '\u0001',
    '\udc00',
  ];
  static readonly NAMES = [
    'a',
    'B',
    'Content',
    'MsgId',
    'Item',
    'item',
    'x-y',
    'x.y',
    '_u',
    'a1',
    'xml',
    'toString',
    '__proto__',
    'constructor',
    'valueOf',
    'prototype',
    'ns:a',
    '1a',
    '-a',
    '中',
  ];

  constructor(
    readonly rnd: () => number,
    readonly pick: <T>(items: readonly T[]) => T,
    readonly plain: boolean,
  ) {}

  text(n = Math.floor(this.rnd() * 6)): string {
    let s = '';
    for (let i = 0; i < n; i++)
      s += this.pick(
        this.plain && this.rnd() < 0.97 ? DocGenerator.PLAIN_CHARS : DocGenerator.HOSTILE_CHARS,
      );
    return s;
  }

  space(): string {
    return this.pick(['', '', '', ' ', '\n', '\n  ', '\t', '\r\n']);
  }

  element(depth: number): string {
    const name = this.pick(DocGenerator.NAMES.slice(0, this.plain ? 10 : undefined));
    const r = this.plain ? 0.15 + this.rnd() * 0.85 : this.rnd();
    if (r < 0.08) return `<${name}/>`;
    if (r < 0.12) return `<${name} />`;
    if (r < 0.15) return `<${name} a="1">${this.text()}</${name}>`;
    let body = '';
    const k = this.rnd();
    if (k < 0.35) body = this.text();
    else if (k < 0.6) {
      for (let i = 0, m = 1 + Math.floor(this.rnd() * 3); i < m; i++)
        body += `<![CDATA[${this.text()}]]>`;
      if (this.rnd() < 0.1) body = this.space() + body + this.space();
    } else if (k < 0.85 && depth < 12) {
      body = this.space();
      for (let i = 0, m = Math.floor(this.rnd() * 4); i < m; i++)
        body += this.element(depth + 1) + this.space();
    } else if (this.plain) body = this.text();
    else body = this.text() + (depth < 12 ? this.element(depth + 1) : '') + this.text();
    const close = this.rnd() < (this.plain ? 0.005 : 0.05) ? this.pick(DocGenerator.NAMES) : name;
    return `<${name}>${body}</${close}${this.rnd() < 0.03 ? ' ' : ''}>`;
  }

  document(): string {
    let s = this.plain
      ? '<xml>'
      : this.pick(['<xml>', '<xml>', '<?xml version="1.0"?><xml>', ' <xml>', '<root>', '<xml >']);
    s += this.space();
    for (let i = 0, m = Math.floor(this.rnd() * 6); i < m; i++) s += this.element(2) + this.space();
    if (!this.plain && this.rnd() < 0.05) s += this.text();
    return (
      s +
      (this.plain
        ? this.pick(['</xml>', '</xml>\n', '</xml> \r\n\t'])
        : this.pick([
            '</xml>',
            '</xml>',
            '</xml> x',
            '</xml><xml></xml>',
            '',
            '</root>',
            '</xml >',
          ]))
    );
  }

  /** One to three characters deleted, inserted or replaced. */
  mutate(s: string): string {
    let out = s;
    for (let i = 0, n = 1 + Math.floor(this.rnd() * 3); i < n; i++) {
      const at = Math.floor(this.rnd() * (out.length + 1));
      const op = this.rnd();
      const c = this.pick(DocGenerator.HOSTILE_CHARS);
      if (op < 0.33) out = out.slice(0, at) + out.slice(at + 1);
      else if (op < 0.66) out = out.slice(0, at) + c + out.slice(at);
      else out = out.slice(0, at) + c + out.slice(at + 1);
    }
    return out;
  }
}
