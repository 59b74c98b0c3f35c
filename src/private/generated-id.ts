import { createHash } from 'crypto';
import { Lazy, Names, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Job and job template ids: at most 64 characters of `[a-zA-Z0-9_-]`. */
const MAX_ID_LENGTH = 64;
const HASH_LENGTH = 8;

/**
 * An id of `<construct path name>-<hash>` for a resource whose properties the service cannot
 * change in place: the hash covers them as CloudFormation will see them, so that changing any
 * of them gives a new id, and thus a replacement. The prefix is stable: `${prefix}*` matches
 * every id the construct generates.
 */
export function generatedId(construct: IConstruct, immutable: unknown): { readonly id: string; readonly prefix: string } {
  const base = Names.uniqueResourceName(construct, { maxLength: MAX_ID_LENGTH - HASH_LENGTH - 1, separator: '-', allowedSpecialCharacters: '-_' });
  const id = Lazy.string({
    produce: () => `${base}-${createHash('sha256').update(JSON.stringify(Stack.of(construct).resolve(immutable))).digest('hex').slice(0, HASH_LENGTH)}`,
  });
  return { id, prefix: `${base}-` };
}
