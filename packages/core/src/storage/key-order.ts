/**
 * Compares two storage keys in the order S3 lists them: by Unicode code point, which is the byte
 * order of their UTF-8 encoding. Plain `<` on JS strings compares UTF-16 code units and puts
 * characters above U+FFFF (emoji, some CJK) before U+E000–U+FFFF; this does not.
 *
 * @returns a negative number when `a` sorts first, positive when `b` does, 0 when equal.
 *
 * @example
 * ```ts
 * ['a/bc', 'a/b/x', 'a/b-c'].sort(compareKeys); // ['a/b-c', 'a/b/x', 'a/bc']
 * ```
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (U+D800–U+DFFF) stand for code points above U+FFFF: move them above the rest of
      // the BMP, and U+E000–U+FFFF down into the gap they leave.
      if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      return x - y;
    }
  }
  return a.length - b.length;
}
