import { Token } from 'aws-cdk-lib';

/**
 * Synth-time checks of literal values against the service's limits
 * (iot-2015-05-28 service model). Unresolved tokens always pass: their value is known only
 * at deploy time, where the service checks them.
 */

const NAME_PATTERN = /^[a-zA-Z0-9\-_.]+$/;
const ATTRIBUTE_KEY_PATTERN = /^[a-zA-Z0-9:_-]+$/;
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const CONTROL_CHARACTER = /\p{C}/u;

export const LIMITS = {
  packageNameLength: 128,
  versionNameLength: 64,
  descriptionLength: 1024,
  attributesTotalBytes: 3072,
  recipeLength: 3072,
  tagCount: 50,
  tagKeyLength: 128,
  tagValueLength: 256,
} as const;

/** A value known at synth time: defined and not an unresolved token. */
export function isLiteral(value: string | undefined): value is string {
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

function validateName(label: string, value: string | undefined, maxLength: number): void {
  if (!isLiteral(value)) return;
  if (value.length < 1 || value.length > maxLength) {
    throw new Error(`${label} ${quote(value)} must be 1-${maxLength} characters long, got ${value.length}.`);
  }
  if (!NAME_PATTERN.test(value)) {
    throw new Error(`${label} ${quote(value)} must match [a-zA-Z0-9-_.]+: letters, digits, '-', '_' and '.' only.`);
  }
}

export function validatePackageName(value: string | undefined): void {
  validateName('packageName', value, LIMITS.packageNameLength);
}

export function validateVersionName(value: string | undefined): void {
  validateName('versionName', value, LIMITS.versionNameLength);
}

export function validateDescription(value: string | undefined): void {
  if (!isLiteral(value)) return;
  // The service's pattern ([^\p{C}]+) needs at least one character: leave the description out instead.
  if (value.length < 1 || value.length > LIMITS.descriptionLength) {
    throw new Error(`description must be 1-${LIMITS.descriptionLength} characters long, got ${value.length}; leave it unset for no description.`);
  }
  if (CONTROL_CHARACTER.test(value)) {
    throw new Error(`description ${quote(value)} must not contain control characters (found ${describeControlCharacter(value)}).`);
  }
}

export function validateRecipe(value: string | undefined): void {
  if (!isLiteral(value)) return;
  if (value.length > LIMITS.recipeLength) {
    throw new Error(`recipe must be at most ${LIMITS.recipeLength} characters, got ${value.length}.`);
  }
}

export function validateAttributes(attributes: Record<string, string> | undefined): void {
  if (attributes === undefined || Token.isUnresolved(attributes)) return;
  let totalBytes = 0;
  for (const [key, value] of Object.entries(attributes)) {
    if (Token.isUnresolved(key)) {
      throw new Error(`attribute keys must be literal strings, got the unresolved token ${quote(key)}.`);
    }
    if (!ATTRIBUTE_KEY_PATTERN.test(key)) {
      throw new Error(`attribute key ${quote(key)} must match [a-zA-Z0-9:_-]+ and not be empty.`);
    }
    if (!isLiteral(value)) continue;
    if (value.length === 0) {
      throw new Error(`attribute ${quote(key)} must have a non-empty value.`);
    }
    if (CONTROL_CHARACTER.test(value)) {
      throw new Error(`attribute ${quote(key)} value ${quote(value)} must not contain control characters (found ${describeControlCharacter(value)}).`);
    }
    totalBytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  if (totalBytes > LIMITS.attributesTotalBytes) {
    throw new Error(`attributes total ${totalBytes} bytes (keys and values, UTF-8); the limit is ${LIMITS.attributesTotalBytes} bytes.`);
  }
}

/** Returns the errors of a rendered tag set, for `node.addValidation` (tags arrive through aspects). */
export function tagErrors(tags: Record<string, string>): string[] {
  const errors: string[] = [];
  const keys = Object.keys(tags);
  if (keys.length > LIMITS.tagCount) {
    errors.push(`at most ${LIMITS.tagCount} tags are allowed, got ${keys.length}.`);
  }
  for (const key of keys) {
    if (Token.isUnresolved(key)) continue;
    if (key.length < 1 || key.length > LIMITS.tagKeyLength || !TAG_KEY_PATTERN.test(key)) {
      errors.push(`tag key ${quote(key)} must be 1-${LIMITS.tagKeyLength} characters of letters, digits, spaces and _.:/=+-@.`);
    }
    const value = tags[key];
    if (isLiteral(value) && value.length > LIMITS.tagValueLength) {
      errors.push(`tag ${quote(key)} value must be at most ${LIMITS.tagValueLength} characters, got ${value.length}.`);
    }
  }
  return errors;
}
