import { isLiteral, quote } from './values';

/**
 * Names and ids, one rule each (iot-2015-05-28 service model): a length and the characters a
 * name may hold, with one message per rule.
 */
interface NameRule {
  readonly max: number;
  readonly pattern: RegExp;
  /** The pattern as the message shows it, and what it allows in words. */
  readonly shown: string;
  readonly allowed: string;
}

const PACKAGE_NAME: NameRule = { max: 128, pattern: /^[a-zA-Z0-9\-_.]+$/, shown: '[a-zA-Z0-9-_.]+', allowed: "letters, digits, '-', '_' and '.'" };
const VERSION_NAME: NameRule = { ...PACKAGE_NAME, max: 64 };
const JOB_ID: NameRule = { max: 64, pattern: /^[a-zA-Z0-9_-]+$/, shown: '[a-zA-Z0-9_-]+', allowed: "letters, digits, '-' and '_'" };
const THING_NAME: NameRule = { max: 128, pattern: /^[a-zA-Z0-9:_-]+$/, shown: '[a-zA-Z0-9:_-]+', allowed: "letters, digits, ':', '_' and '-'" };
/** Attribute keys have no documented length limit; the attributes' total size bounds them. */
const ATTRIBUTE_KEY: NameRule = { ...THING_NAME, max: Infinity };

function checkName(label: string, value: string | undefined, rule: NameRule): void {
  if (!isLiteral(value)) return;
  if (value.length < 1 || value.length > rule.max) {
    const range = rule.max === Infinity ? 'at least 1 character' : `1-${rule.max} characters`;
    throw new Error(`${label} ${quote(value)} must be ${range} long, got ${value.length}.`);
  }
  if (!rule.pattern.test(value)) {
    throw new Error(`${label} ${quote(value)} must match ${rule.shown}: ${rule.allowed} only.`);
  }
}

export function validatePackageName(value: string | undefined): void {
  checkName('packageName', value, PACKAGE_NAME);
}

export function validateVersionName(value: string | undefined): void {
  checkName('versionName', value, VERSION_NAME);
}

/** `jobId` / `jobTemplateId`. */
export function validateJobIdentifier(label: string, value: string | undefined): void {
  checkName(label, value, JOB_ID);
}

/** Thing and thing-group names. */
export function validateThingName(label: string, value: string | undefined): void {
  checkName(label, value, THING_NAME);
}

/** Keys of a version's attributes, also where a job document's placeholder names one. */
export function validateAttributeKey(key: string | undefined): void {
  checkName('attribute key', key, ATTRIBUTE_KEY);
}
