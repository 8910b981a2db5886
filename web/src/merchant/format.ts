// How the merchant pages check a business registration number.

const weights = [1, 3, 7, 1, 3, 7, 1, 3, 5] as const;

/** Whether a 사업자등록번호 is ten digits (dashes optional) with the right check digit. */
export function businessNumberValid(raw: string): boolean {
  if (!/^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$/.test(raw)) return false;
  const digits = [...raw.replaceAll("-", "")].map(Number);
  const weighted = weights.reduce((sum, w, i) => sum + w * (digits[i] ?? 0), 0);
  const sum = weighted + Math.floor(((digits[8] ?? 0) * 5) / 10);
  return (10 - (sum % 10)) % 10 === digits[9];
}
