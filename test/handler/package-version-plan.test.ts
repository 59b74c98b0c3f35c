/**
 * The decisions of a package version's Update, as a table: desired properties, the previous
 * ones (when they describe this version), the service's actual state, and whether
 * CloudFormation is rolling back → the calls to make, or a refusal. No emulator: the emulator
 * tests prove the calls against the API; these prove the choice of calls.
 */
import { ActualVersion, needsActualState, planVersionUpdate, VersionProps } from '../../lambda/package-version-plan';

const base: VersionProps = { packageName: 'fw', versionName: '1.0.0', status: 'PUBLISHED', attributes: { board: 'rev-b' }, tags: {} };
const props = (changes: Partial<VersionProps> = {}): VersionProps => ({ ...base, ...changes });
const actual = (changes: Partial<ActualVersion> = {}): ActualVersion => ({ status: 'PUBLISHED', attributes: { board: 'rev-b' }, tags: {}, ...changes });
const artifact = (Key: string, Version?: string) => ({ Bucket: 'releases', Key, Version });

describe('needsActualState: the service is read only for what it may refuse, or when the previous state is not this version\'s', () => {
  test.each([
    ['no previous properties', props(), undefined, true],
    ['description only', props({ description: 'new' }), props(), false],
    ['status PUBLISHED → DEPRECATED', props({ status: 'DEPRECATED' }), props(), false],
    ['attributes', props({ attributes: { board: 'rev-c' } }), props(), true],
    ['artifact', props({ artifact: artifact('b.bin') }), props({ artifact: artifact('a.bin') }), true],
    ['back to DRAFT', props({ status: 'DRAFT' }), props(), true],
    ['SBOM', props({ sbom: artifact('s.zip') }), props(), true],
  ])('%s', (_what, desired, previous, expected) => {
    expect(needsActualState(desired, previous)).toBe(expected);
  });
});

describe('planVersionUpdate', () => {
  test.each<[string, VersionProps, VersionProps | undefined, ActualVersion | undefined, boolean, Record<string, unknown>]>([
    ['description and recipe: one field update, no move',
      props({ description: 'd2', recipe: 'r2' }), props({ description: 'd1', recipe: 'r1' }), undefined, false,
      { fields: ['description', 'recipe'], actions: [], resultStatus: 'PUBLISHED', refusal: undefined }],
    ['a removed description stays (the API cannot clear it); a removed recipe is cleared',
      props(), props({ description: 'd1', recipe: 'r1' }), undefined, false,
      { fields: ['recipe'], actions: [] }],
    ['DRAFT → DEPRECATED: publish, then deprecate',
      props({ status: 'DEPRECATED' }), props({ status: 'DRAFT' }), undefined, false,
      { from: 'DRAFT', actions: ['PUBLISH', 'DEPRECATE'], resultStatus: 'DEPRECATED', statusKnown: false }],
    ['DEPRECATED → PUBLISHED: publish again',
      props(), props({ status: 'DEPRECATED' }), undefined, false,
      { actions: ['PUBLISH'] }],
    ['new attributes of a DRAFT version are updated, and it is published',
      props({ attributes: { board: 'rev-c' } }), props({ status: 'DRAFT' }), actual({ status: 'DRAFT' }), false,
      { fields: ['attributes'], actions: ['PUBLISH'], statusKnown: true, refusal: undefined }],
    ['new attributes of a PUBLISHED version: refused, nothing planned',
      props({ attributes: { board: 'rev-c' } }), props(), actual(), false,
      { fields: [], actions: [], refusal: 'Version fw/1.0.0 is PUBLISHED: its attributes can change only while it is DRAFT. To ship the change, use a new versionName.' }],
    ['a new artifact of a DEPRECATED version: refused',
      props({ status: 'DEPRECATED', artifact: artifact('b.bin') }), props({ status: 'DEPRECATED', artifact: artifact('a.bin') }),
      actual({ status: 'DEPRECATED', artifact: { bucket: 'releases', key: 'a.bin', version: 'v1' } }), false,
      { refusal: 'Version fw/1.0.0 is DEPRECATED: its artifact can change only while it is DRAFT. To ship the change, use a new versionName.' }],
    ['back to DRAFT: refused',
      props({ status: 'DRAFT' }), props(), actual(), false,
      { refusal: 'Version fw/1.0.0 is PUBLISHED and cannot return to DRAFT. To start a new draft, use a new versionName.' }],
    ['back to DRAFT in a rollback: the version stays PUBLISHED, the description returns',
      props({ status: 'DRAFT', description: 'before' }), props({ description: 'after' }), actual({ description: 'after' }), true,
      { fields: ['description'], actions: [], resultStatus: 'PUBLISHED', refusal: undefined, kept: ['status PUBLISHED (DRAFT cannot be re-entered)'] }],
    ['old attributes of a now published version in a rollback: kept as they are, not refused',
      props({ status: 'DRAFT', attributes: { board: 'rev-a' } }), props({ attributes: { board: 'rev-b' } }), actual(), true,
      { fields: [], actions: [], resultStatus: 'PUBLISHED', refusal: undefined, kept: ['attributes of the PUBLISHED version', 'status PUBLISHED (DRAFT cannot be re-entered)'] }],
    ['a rollback that only asked for a possible change plans it as a forward update would',
      props({ status: 'DEPRECATED' }), props(), undefined, true,
      { actions: ['DEPRECATE'], kept: [] }],
    ['the previous properties named another version: everything converges on the actual state',
      props({ description: 'd1' }), undefined, actual({ description: 'd1', status: 'PUBLISHED', tags: { team: 'a' } }), false,
      { fields: [], actions: [], tagsBefore: { team: 'a' } }],
    ['a failed publish left the version DRAFT: the move starts from the actual status',
      props({ status: 'DEPRECATED' }), props({ status: 'PUBLISHED', attributes: { board: 'rev-c' } }), actual({ status: 'DRAFT' }), false,
      { fields: [], from: 'DRAFT', actions: ['PUBLISH', 'DEPRECATE'], statusKnown: true }],
    ['a new SBOM: the old one is removed, the new one associated',
      props({ sbom: artifact('b.zip') }), props({ sbom: artifact('a.zip') }), actual({ sbom: { bucket: 'releases', key: 'a.zip', version: 'v1' } }), false,
      { disassociateSbom: true, associateSbom: true }],
    ['a failed SBOM swap left none: the rollback associates the previous one without removing anything',
      props({ sbom: artifact('a.zip') }), props({ sbom: artifact('b.zip') }), actual(), true,
      { disassociateSbom: false, associateSbom: true }],
    ['an SBOM whose object version is looked up at deploy matches any version of the same object',
      props({ sbom: artifact('a.zip') }), props({ sbom: artifact('a.zip') }), actual({ sbom: { bucket: 'releases', key: 'a.zip', version: 'v9' } }), false,
      { disassociateSbom: false, associateSbom: false }],
    ['removing the SBOM disassociates it',
      props(), props({ sbom: artifact('a.zip') }), actual({ sbom: { bucket: 'releases', key: 'a.zip', version: 'v1' } }), false,
      { disassociateSbom: true, associateSbom: false }],
    ['tags move from the previous ones',
      props({ tags: { team: 'b', new: 'x' } }), props({ tags: { team: 'a', old: 'y' } }), undefined, false,
      { tagsBefore: { team: 'a', old: 'y' } }],
  ])('%s', (_what, desired, previous, state, rollingBack, expected) => {
    expect(planVersionUpdate(desired, previous, state, rollingBack)).toMatchObject(expected);
  });

  test('without previous properties or actual state there is nothing to plan from', () => {
    expect(() => planVersionUpdate(props(), undefined, undefined, false)).toThrow('needs the previous properties or the actual state');
  });
});
