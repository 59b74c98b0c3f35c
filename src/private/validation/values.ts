import { Duration, Token } from 'aws-cdk-lib';

/**
 * The shared vocabulary of synth-time checks: what a literal is, how a value is shown in a
 * message, and the length, range and duration rules every concern uses. Unresolved tokens
 * always pass: their value is known only at deploy time, where the service checks them.
 */

export const CONTROL_CHARACTER = /\p{C}/u;

/** A value known at synth time: defined and not an unresolved token. */
export function isLiteral(value: string | undefined): value is string {
  return value !== undefined && !Token.isUnresolved(value);
}

export function isLiteralNumber(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

/** The value as shown in an error message, shortened past 80 characters. */
export function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown);
}

/** `U+XXXX at position N` of the first control character. */
export function describeControlCharacter(value: string): string {
  const match = CONTROL_CHARACTER.exec(value)!;
  const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `U+${code} at position ${match.index}`;
}

/**
 * Free text (descriptions, recipes, documents): its length, and no control characters unless
 * `controlCharacters` allows them. An optional text that may not be empty says to leave it unset.
 */
export function checkText(label: string, value: string | undefined, rule: { min: number; max: number; controlCharacters?: boolean }): void {
  if (!isLiteral(value)) return;
  if (value.length < rule.min || value.length > rule.max) {
    const range = rule.min === 0 ? `at most ${rule.max} characters long`
      : rule.max === Infinity ? `at least ${rule.min} character${rule.min === 1 ? '' : 's'} long` : `${rule.min}-${rule.max} characters long`;
    const hint = rule.min > 0 && value.length === 0 ? '; leave it unset for none' : '';
    throw new Error(`${label} must be ${range}, got ${value.length}${hint}.`);
  }
  if (!rule.controlCharacters && CONTROL_CHARACTER.test(value)) {
    throw new Error(`${label} ${quote(value)} must not contain control characters (found ${describeControlCharacter(value)}).`);
  }
}

/** A number in `[min, max]`, whole unless `integer: false`. */
export function checkRange(
  label: string, value: number | undefined, min: number, max: number, options: { integer?: boolean; unit?: string } = {},
): void {
  if (!isLiteralNumber(value)) return;
  const unit = options.unit ? ` ${options.unit}` : '';
  if (options.integer !== false && !Number.isInteger(value)) {
    throw new Error(`${label} must be a whole number${unit ? ` of${unit}` : ''}, got ${value}.`);
  }
  if (!(value >= min && value <= max)) {
    const range = max === Infinity ? `at least ${min}` : `${min}-${max}`;
    throw new Error(`${label} must be ${range}${unit}, got ${value}${unit}.`);
  }
}

/** Decimal places of a number as written. */
export function decimals(value: number): number {
  const text = String(value);
  const dot = text.indexOf('.');
  return dot < 0 || text.includes('e') ? 0 : text.length - dot - 1;
}

/** Whole units of a duration, or an error naming the label when it is not whole. */
export function wholeUnits(label: string, duration: Duration, unit: 'seconds' | 'minutes'): number | undefined {
  if (duration.isUnresolved()) return undefined;
  const value = unit === 'seconds' ? duration.toSeconds({ integral: false }) : duration.toMinutes({ integral: false });
  if (!Number.isInteger(value)) {
    throw new Error(`${label} must be a whole number of ${unit}, got ${duration.toHumanString()}.`);
  }
  return value;
}
