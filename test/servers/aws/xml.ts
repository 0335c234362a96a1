export function esc(text: string | number | boolean): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** `<name>value</name>`, or nothing when the value is undefined. */
export function el(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${esc(value)}</${name}>`;
}

export function tagSet(tags: Record<string, string> | undefined): string {
  const items = Object.entries(tags ?? {}).map(([k, v]) => `<item>${el('key', k)}${el('value', v)}</item>`);
  return `<tagSet>${items.join('')}</tagSet>`;
}

/** The EC2 query protocol's error envelope. */
export function ec2Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>${el('Code', code)}${el('Message', message)}</Error></Errors><RequestID>req-1</RequestID></Response>`;
}

/** The AWS query protocol's (STS) error envelope. */
export function queryError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>${el('Code', code)}${el('Message', message)}</Error><RequestId>req-1</RequestId></ErrorResponse>`;
}
