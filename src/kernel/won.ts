/** Money is an integer number of Korean won, always a safe integer. */
export type Won = number & { readonly __won: true };

export class MoneyRuleError extends Error {}

export function isWon(value: unknown): value is Won {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Checks a won amount; throws for a bug (a non-integer or negative amount reaching the kernel). */
export function won(value: number): Won {
  if (!isWon(value)) throw new MoneyRuleError(`not a won amount: ${value}`);
  return value;
}

export function addWon(a: Won, b: Won): Won {
  return won(a + b);
}

export function subtractWon(a: Won, b: Won): Won {
  return won(a - b);
}
