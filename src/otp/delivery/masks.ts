/**
 * Display-safe masks that give an attacker nothing to work with (Plaid: "An attacker should not gain
 * an advantage if given this mask"): the last four digits of a phone, one letter each of an address.
 */
export function maskPhone(e164: string): string {
  return `(***) ***-${e164.replace(/\D/g, '').slice(-4)}`;
}

export function maskEmail(address: string): string {
  const [local, domain = ''] = address.split('@');
  const labels = domain.split('.');
  const tld = labels.length > 1 ? labels.pop() : '';
  return `${local.slice(0, 1)}****@${labels.join('.').slice(0, 1)}****${tld ? `.${tld}` : ''}`;
}
