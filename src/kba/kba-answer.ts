/** Answers are compared after NFKC, trim, collapsed spaces and lower-case (PRODUCT.md section 7). */
export function normalizeAnswer(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
