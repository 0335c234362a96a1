// The AWS SDK's XML reader (`parseXML` of @aws-sdk/xml-builder, 3.972) reads each tag name, attribute and text
// one character at a time, appending to a string, and tests every character with `"...".includes(c)`. A page of
// 1,000 EBS volumes (100 KB) then makes about 100,000 short-lived strings; on an idle sweep this reader and its
// garbage were the largest single cost after the network. This reader returns the same values and throws the
// same errors, slicing each name and text out of the document with indexOf instead. The bundle uses it in place
// of the SDK's (scripts/build.mjs); test/aws/xml-parser.test.ts holds it to the SDK's output on the same inputs.

/** What `parseXML` returns: the root tag's name mapped to its value. */
export type XmlValue = string | { [key: string]: XmlValue | XmlValue[] };

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /
const EQ = 0x3d; // =

// Sticky patterns that always match (maybe nothing): the SDK's character sets, read natively instead of a
// character at a time.
const SPACES = /[ \t\r\n]*/y;
const TAG_NAME = /[^ \t\r\n>/]*/y;
const ATTRIBUTE_NAME = /[^= \t\r\n>/?]*/y;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|([a-zA-Z][a-zA-Z0-9]{0,30}));/g;

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_all, hex?: string, dec?: string, named?: string) => {
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    if (dec) return String.fromCharCode(parseInt(dec, 10));
    return ENTITIES[named!] ?? '';
  });
}

/** Sets `__proto__` as an own, plain key (as the SDK does), so that a tag of that name cannot reach the prototype. */
function writeKey(obj: object): void {
  Object.defineProperty(obj, '__proto__', {
    value: undefined,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** Text that is only white space over several lines is the document's indentation, not a value. */
const isIndentation = (text: string) => text.includes('\n') && text.trim() === '';

interface Tag {
  tag: string;
  value: XmlValue;
}

class Reader {
  private readonly x: string;
  private readonly z: number;
  private i = 0;

  constructor(xml: string) {
    this.x = xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml;
    this.z = this.x.length;
  }

  document(): Record<string, XmlValue> {
    const { x, z } = this;
    while (this.i < z) {
      this.trim();
      if (this.i >= z) break;
      if (x.startsWith('<?', this.i)) {
        this.readTo('?>');
        this.trim();
      } else if (x.startsWith('<!--', this.i)) {
        this.readTo('-->');
        this.trim();
      } else if (x.toLowerCase().startsWith('<!doctype', this.i)) {
        // As the SDK does: the whole text lower-cased, so that a character whose lower case is longer (İ) shifts
        // what is compared there, and the same documents are read or refused.
        this.skipDoctype();
        this.trim();
      } else if (x.charCodeAt(this.i) === LT) {
        const root = this.tag();
        return { [root.tag]: root.value };
      } else {
        throw new Error('@aws-sdk XML parse error: unexpected content.');
      }
    }
    throw new Error('@aws-sdk XML parse error: no root element.');
  }

  private trim(): void {
    SPACES.lastIndex = this.i;
    SPACES.test(this.x);
    this.i = SPACES.lastIndex;
  }

  private readTo(stop: string): string {
    const end = this.x.indexOf(stop, this.i);
    if (end === -1) throw new Error(`@aws-sdk XML parse error: expected "${stop}" not found.`);
    const result = this.x.slice(this.i, end);
    this.i = end + stop.length;
    return result;
  }

  /** Reads from here what `pattern` (sticky, never failing: `[...]*`) matches. */
  private read(pattern: RegExp): string {
    pattern.lastIndex = this.i;
    pattern.test(this.x);
    const start = this.i;
    this.i = pattern.lastIndex;
    return this.x.slice(start, this.i);
  }

  private attributeValue(): string {
    const quote = this.x[this.i]!;
    ++this.i;
    let end = this.x.indexOf(quote, this.i);
    if (end === -1) end = this.z;
    const value = this.x.slice(this.i, end);
    this.i = end + 1;
    return decodeEntities(value);
  }

  private tag(): Tag {
    const { x, z } = this;
    ++this.i;
    const tag = this.read(TAG_NAME);
    let attrs: Record<string, string> | undefined; // made at the first attribute: most tags have none
    while (this.i < z) {
      this.trim();
      const c = x.charCodeAt(this.i);
      if (c === GT || c === SLASH || this.i >= z) break;
      const name = this.read(ATTRIBUTE_NAME);
      this.trim();
      if (x.charCodeAt(this.i) !== EQ) break;
      ++this.i;
      this.trim();
      attrs ??= {};
      if (name === '__proto__') writeKey(attrs);
      attrs[name] = this.attributeValue();
    }
    if (this.i >= z) throw new Error('@aws-sdk XML parse error: unexpected end of input.');
    if (x.charCodeAt(this.i) === SLASH) {
      ++this.i;
      if (this.i >= z || x.charCodeAt(this.i) !== GT)
        throw new Error('@aws-sdk XML parse error: expected > at the end of self-closing tag.');
      ++this.i;
      return { tag, value: attrs ?? '' };
    }
    if (x.charCodeAt(this.i) !== GT)
      throw new Error('@aws-sdk XML parse error: expected > at the end of opening tag.');
    ++this.i;

    const textParts: string[] = [];
    const children: Tag[] = [];
    while (this.i < z) {
      if (x.charCodeAt(this.i) === LT) {
        if (x.charCodeAt(this.i + 1) === SLASH) break;
        if (x.startsWith('<!--', this.i)) this.readTo('-->');
        else if (x.startsWith('<![CDATA[', this.i)) {
          this.i += 9;
          textParts.push(this.readTo(']]>'));
        } else if (x.startsWith('<?', this.i)) this.readTo('?>');
        else children.push(this.tag());
      } else {
        let end = x.indexOf('<', this.i);
        if (end === -1) end = z;
        textParts.push(decodeEntities(x.slice(this.i, end)));
        this.i = end;
      }
    }
    if (!x.startsWith('</', this.i))
      throw new Error(`@aws-sdk XML parse error: missing closing tag </${tag}>.`);
    this.i += 2;
    const closeTag = this.readTo('>').trim();
    if (closeTag !== tag)
      throw new Error(`@aws-sdk XML parse error: mismatched tags <${tag}> and </${closeTag}>.`);

    if (!attrs && !children.length) {
      if (!textParts.length) return { tag, value: '' };
      const text = textParts.length === 1 ? textParts[0]! : textParts.join('');
      return { tag, value: isIndentation(text) ? '' : text };
    }
    const obj: Record<string, XmlValue | XmlValue[]> = {};
    for (const text of textParts) {
      if (isIndentation(text)) continue;
      obj['#text'] = '#text' in obj ? `${obj['#text'] as string}${text}` : text;
    }
    for (const child of children) {
      if (child.tag === '__proto__') writeKey(obj);
      if (child.tag in obj) {
        const seen = obj[child.tag]!;
        if (Array.isArray(seen)) seen.push(child.value);
        else obj[child.tag] = [seen, child.value];
      } else obj[child.tag] = child.value;
    }
    for (const [k, v] of Object.entries(attrs ?? {})) {
      if (k === '__proto__') writeKey(obj);
      obj[k] = v;
    }
    return { tag, value: obj };
  }

  private skipDoctype(): void {
    const { x, z } = this;
    this.i += 9;
    let depth = 0;
    while (this.i < z) {
      const c = x[this.i];
      if (c === '[') ++depth;
      else if (c === ']') --depth;
      else if (c === '>' && depth === 0) {
        ++this.i;
        return;
      }
      ++this.i;
    }
    throw new Error('@aws-sdk XML parse error: unclosed DOCTYPE.');
  }
}

/** Parses an AWS XML reply into the SDK's plain-object form: `{ Root: { child: 'text', repeated: [...] } }`. */
export function parseXML(xml: string): Record<string, XmlValue> {
  return new Reader(xml).document();
}
