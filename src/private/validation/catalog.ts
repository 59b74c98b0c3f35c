import { Token } from 'aws-cdk-lib';
import { validateAttributeKey } from './names';
import { checkText, isLiteral, quote } from './values';
import { OWNER_TAG_KEY } from '../contract';

/** Packages and versions (iot-2015-05-28: CreatePackageRequest, CreatePackageVersionRequest). */
export const CATALOG_LIMITS = {
  descriptionLength: 1024,
  attributesTotalBytes: 3072,
  recipeLength: 3072,
  /** A resource holds 50 tags; the handler adds the stack's owner tag. */
  tagCount: 49,
  tagKeyLength: 128,
  tagValueLength: 256,
} as const;

const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** A package's or version's description: the service's pattern ([^\p{C}]+) needs a character. */
export function validateDescription(value: string | undefined): void {
  checkText('description', value, { min: 1, max: CATALOG_LIMITS.descriptionLength });
}

export function validateRecipe(value: string | undefined): void {
  checkText('recipe', value, { min: 0, max: CATALOG_LIMITS.recipeLength, controlCharacters: true });
}

export function validateAttributes(attributes: Record<string, string> | undefined): void {
  if (attributes === undefined || Token.isUnresolved(attributes)) return;
  let totalBytes = 0;
  for (const [key, value] of Object.entries(attributes)) {
    if (Token.isUnresolved(key)) {
      throw new Error(`attribute keys must be literal strings, got the unresolved token ${quote(key)}.`);
    }
    validateAttributeKey(key);
    if (!isLiteral(value)) continue;
    checkText(`attribute ${quote(key)} value`, value, { min: 1, max: Infinity });
    totalBytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  if (totalBytes > CATALOG_LIMITS.attributesTotalBytes) {
    throw new Error(`attributes total ${totalBytes} bytes (keys and values, UTF-8); the limit is ${CATALOG_LIMITS.attributesTotalBytes} bytes.`);
  }
}

/**
 * The errors of a rendered tag set, for `node.addValidation` (tags arrive through aspects).
 * Resources the handler creates carry its owner tag as the 50th; native resources hold all 50.
 */
export function tagErrors(tags: Record<string, string>, options: { ownerTag: boolean } = { ownerTag: true }): string[] {
  const errors: string[] = [];
  const keys = Object.keys(tags);
  const maxCount = options.ownerTag ? CATALOG_LIMITS.tagCount : CATALOG_LIMITS.tagCount + 1;
  if (keys.length > maxCount) {
    errors.push(options.ownerTag
      ? `at most ${maxCount} tags are allowed (a resource holds 50, one of them the stack's ${OWNER_TAG_KEY}), got ${keys.length}.`
      : `at most ${maxCount} tags are allowed, got ${keys.length}.`);
  }
  for (const key of keys) {
    if (Token.isUnresolved(key)) continue;
    if (key.length < 1 || key.length > CATALOG_LIMITS.tagKeyLength || !TAG_KEY_PATTERN.test(key)) {
      errors.push(`tag key ${quote(key)} must be 1-${CATALOG_LIMITS.tagKeyLength} characters of letters, digits, spaces and _.:/=+-@.`);
    } else if (key === OWNER_TAG_KEY || key.toLowerCase().startsWith('aws:')) {
      errors.push(`tag key ${quote(key)} is reserved: ${key === OWNER_TAG_KEY ? 'the handler tags what it creates with it' : "keys starting with 'aws:' belong to AWS"}.`);
    }
    const value = tags[key];
    if (isLiteral(value) && value.length > CATALOG_LIMITS.tagValueLength) {
      errors.push(`tag ${quote(key)} value must be at most ${CATALOG_LIMITS.tagValueLength} characters, got ${value.length}.`);
    }
  }
  return errors;
}
