/**
 * 10000 as "10,000", as toLocaleString('en-US') writes it, without it: that call loads ICU's
 * number formats (tens of milliseconds), which descriptions built at start-up must not pay for.
 */
export function thousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+$)/g, ',');
}
