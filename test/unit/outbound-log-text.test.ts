// Text from CRM and endpoint answers is cut and cleaned before it is stored in the sync log.
import { describe, expect, it } from 'vitest';
import { cleanText, LOG_TEXT_MAX_BYTES } from '../../sidecar/src/syncLog.ts';

describe('log text from answers', () => {
  it('replaces terminal escapes, other control characters and bidi overrides, keeping tabs and newlines', () => {
    expect(cleanText('ok\u001b[31mred\u0007\u0000\r\u009b2J\u202Eevil\tline\nnext')).toBe('ok\uFFFD[31mred\uFFFD\uFFFD\uFFFD\uFFFD2J\uFFFDevil\tline\nnext');
  });

  it('replaces lone surrogates, which are not valid UTF-8', () => {
    expect(cleanText('a\uD800b\uDC00c😀')).toBe('a\uFFFDb\uFFFDc😀');
  });

  it('cuts at 4 KiB of UTF-8, never inside a character', () => {
    expect(LOG_TEXT_MAX_BYTES).toBe(4096);
    expect(Buffer.byteLength(cleanText('x'.repeat(100_000)))).toBe(4096);
    const euros = cleanText('€'.repeat(2000));
    expect(Buffer.byteLength(euros)).toBe(4095);
    expect(euros).toBe('€'.repeat(1365));
    expect(cleanText('short')).toBe('short');
  });
});
