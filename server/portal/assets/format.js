// Money arrives in minor units with the chain's ISO 4217 currency; the browser's locale
// decides how it reads.
export const fractionDigits = (currency) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits;

export function money(minor, currency) {
  if (!currency) return String(minor);
  const digits = fractionDigits(currency);
  return new Intl.NumberFormat(undefined, { style: 'currency', currency })
    .format(minor / 10 ** digits);
}

export function moneyValue(minor, currency) {
  return currency ? minor / 10 ** fractionDigits(currency) : minor;
}

export const count = (n) => new Intl.NumberFormat().format(n);

export function percent(part, whole) {
  if (!whole) return '–';
  return new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 })
    .format(part / whole);
}

export const roleNames = { admin: 'Admin', store_manager: 'Store manager', analyst: 'Analyst' };

// What a person typed in major units ("12.50") as minor units (1250); NaN if not a number.
export function minorUnits(text, currency) {
  const value = Number(String(text).trim());
  if (String(text).trim() === '' || !Number.isFinite(value)) return NaN;
  return Math.round(value * 10 ** (currency ? fractionDigits(currency) : 0));
}
