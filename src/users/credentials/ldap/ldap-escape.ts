/**
 * A value put in a DN, escaped as RFC 4514 section 2.4 says: `\` before `"`, `+`, `,`, `;`, `<`,
 * `>`, `\`, and `=` (which OpenLDAP and AD also require); a leading space or `#` and a trailing
 * space; NUL as `\00`. The username can then only ever be one attribute value.
 */
export function escapeDnValue(value: string): string {
  let out = value.replace(/["+,;<>\\=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/**
 * A value put in a search filter, escaped as RFC 4515 section 3: `*`, `(`, `)`, `\` and NUL as
 * `\2a`, `\28`, `\29`, `\5c`, `\00`. `*)(uid=*` is then a username, not a filter.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
