import { parseXML as sdkParseXML } from '@aws-sdk/xml-builder';
import { parseXML } from '../../src/aws/xml-parser';
import { describeAddresses, describeVolumes } from '../servers/aws/ec2';
import { emptyRegion } from '../servers/aws/world';

// The bundle reads AWS XML with src/aws/xml-parser.ts instead of the SDK's parseXML (scripts/build.mjs): both
// must give the same value, or the same error, for any input.

type Outcome = { value: unknown } | { error: string };

function outcome(parse: (xml: string) => unknown, xml: string): Outcome {
  try {
    return { value: parse(xml) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function expectSame(xml: string): Outcome {
  const ours = outcome(parseXML, xml);
  expect({ xml, ...ours }).toStrictEqual({ xml, ...outcome(sdkParseXML, xml) });
  return ours;
}

describe('the XML reader the bundle uses', () => {
  it('reads pages of the fake EC2 as the SDK does', () => {
    const region = {
      ...emptyRegion(),
      volumes: Array.from({ length: 300 }, (_, i) => ({
        id: `vol-${i}`,
        sizeGiB: 10 + i,
        type: i % 2 ? 'gp2' : 'gp3',
        state: 'available' as const,
        tags: i % 3 ? { team: `data & <ml> "${i}"` } : undefined,
      })),
      addresses: Array.from({ length: 40 }, (_, i) => ({
        allocationId: `eipalloc-${i}`,
        publicIp: `10.0.0.${i}`,
      })),
    };
    const volumes = describeVolumes('xx-test-1', region, new URLSearchParams({ MaxResults: '250' })).body;
    const addresses = describeAddresses(region).body;

    const page = expectSame(volumes) as { value: { DescribeVolumesResponse: Record<string, unknown> } };
    expect(page.value.DescribeVolumesResponse.nextToken).toBe('250');
    expectSame(addresses);
  });

  it.each([
    ['entities', '<a>x &amp; y &lt;&gt; &quot;&apos; &#x41;&#66; &nope; &#xZZ;</a>'],
    ['attributes', `<a k="v &amp; w" j='single' >text</a>`],
    ['self-closing with attributes', '<r><a k="1"/><b/></r>'],
    ['repeated children become an array', '<r><i>1</i><i>2</i><i>3</i><j>x</j></r>'],
    ['mixed text and children', '<r>before<c>1</c>after</r>'],
    ['indentation is not a value', '<r>\n  <c>1</c>\n  <d>\n  </d>\n</r>'],
    ['white space on one line is', '<r><c>  </c></r>'],
    [
      'CDATA, comments and instructions',
      '<?xml version="1.0"?><!-- c --><r><![CDATA[<x>&amp;]]><!--n--><?p q?>t</r>',
    ],
    ['CR LF line ends', '<r>\r\n<c>a\rb</c>\r\n</r>'],
    ['a DOCTYPE with an internal subset', '<!DOCTYPE r [<!ENTITY e "x">]><r>1</r>'],
    ['a lower-case doctype', '<!doctype r><r>1</r>'],
    [
      '__proto__ tags and attributes',
      '<r __proto__="a"><__proto__>x</__proto__><__proto__>y</__proto__></r>',
    ],
    ['an attribute without quotes', '<r k=v>1</r>'],
    ['an attribute at the very end', '<r k='],
    ['attributes after text in a closing tag', '<r>1</r >'],
    ['mismatched tags', '<r><a></b></r>'],
    ['a missing closing tag', '<r><a>1</a>'],
    ['an unexpected end', '<r'],
    ['a bad self-closing tag', '<r/ >'],
    ['a bad opening tag', '<r k="1" ?>'],
    ['no root element', '  <!-- only -->  '],
    ['content before the root', 'x<r/>'],
    ['an unclosed DOCTYPE', '<!DOCTYPE r [ <r/>'],
    ['an unterminated comment', '<r><!-- x</r>'],
    ['an empty document', ''],
    // The SDK lower-cases the whole text to find a DOCTYPE: İ becomes two characters there and shifts it.
    ['İ in a comment before a DOCTYPE', '<!--İ--><!DOCTYPE x><a/>'],
    ['İ in an instruction before a doctype', '<?p İ?><!doctype x><a>1</a>'],
  ])('%s', (_name, xml) => {
    expectSame(xml);
  });

  it('agrees with the SDK on 20,000 random documents', () => {
    // Deterministic (mulberry32): a failure names its input, and the same inputs come back on every run.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const PIECES = [
      '<',
      '>',
      '/',
      '</',
      '<a>',
      '</a>',
      '<b>',
      '</b>',
      '<a/>',
      '=',
      '"',
      "'",
      ' ',
      '\n',
      '\r',
      '\t',
    ];
    const MORE = [
      'a',
      'b',
      'x',
      '&amp;',
      '&#65;',
      '&',
      ';',
      '<!--',
      '-->',
      '<![CDATA[',
      ']]>',
      '<?',
      '?>',
      'k="v"',
    ];
    const TAGS = ['a', 'b', 'item', '__proto__'];

    /** Mostly well-formed documents, with random pieces spliced in. */
    const element = (depth: number): string => {
      const tag = pick(TAGS);
      const attrs = random() < 0.2 ? ` k="${pick(MORE)}"` : '';
      if (random() < 0.15) return `<${tag}${attrs}/>`;
      const children =
        depth > 0 ? Array.from({ length: Math.floor(random() * 4) }, () => element(depth - 1)) : [];
      const text = random() < 0.5 ? pick([...MORE, ' ', '\n  ']) : '';
      return `<${tag}${attrs}>${text}${children.join(random() < 0.3 ? '\n' : '')}</${tag}>`;
    };
    for (let n = 0; n < 20_000; n++) {
      let xml = element(3);
      const splices = Math.floor(random() * 3);
      for (let s = 0; s < splices; s++) {
        const at = Math.floor(random() * (xml.length + 1));
        xml = xml.slice(0, at) + pick([...PIECES, ...MORE]) + xml.slice(at);
      }
      const ours = outcome(parseXML, xml);
      const theirs = outcome(sdkParseXML, xml);
      if (JSON.stringify(ours) !== JSON.stringify(theirs))
        expect({ xml, ...ours }).toStrictEqual({ xml, ...theirs });
    }
  });
});
