/**
 * The decisions of a job's Update, as a table, without the emulator: which create-only settings
 * differ from the previous properties or the job the service holds, and what UpdateJob applies.
 */
import { ActualJob, differences, inPlaceChanges, JobProps } from '../../lambda/job-plan';

const V1 = 'arn:aws:iot:us-east-1:123456789012:package/fw/version/1.0.0';
const V2 = 'arn:aws:iot:us-east-1:123456789012:package/fw/version/2.0.0';
const FLEET = 'arn:aws:iot:us-east-1:123456789012:thinggroup/fleet';
const CANARY = 'arn:aws:iot:us-east-1:123456789012:thinggroup/canary';

const job = (changes: Partial<JobProps> = {}): JobProps => ({
  jobId: 'rollout',
  tags: {},
  targets: [FLEET],
  targetSelection: 'SNAPSHOT',
  destinationPackageVersions: [V1],
  document: '{"operation":"install"}',
  forceDelete: false,
  ...changes,
});
const held = (changes: Partial<JobProps> = {}): ActualJob => {
  const { jobId: _id, forceDelete: _force, ...settings } = job(changes);
  return { status: 'IN_PROGRESS', settings };
};

describe('differences: the create-only settings on which the desired job and another differ', () => {
  test.each<[string, JobProps, JobProps | ActualJob, string[]]>([
    ['the same job', job(), job(), []],
    ['targets in another order are the same targets', job({ targets: [CANARY, FLEET] }), job({ targets: [FLEET, CANARY] }), []],
    ['another target', job({ targets: [FLEET, CANARY] }), job(), ['targets']],
    ['another version', job({ destinationPackageVersions: [V2] }), job(), ['destinationPackageVersions']],
    ['continuous target selection', job({ targetSelection: 'CONTINUOUS' }), job(), ['targetSelection']],
    ['another document', job({ document: '{"operation":"rollback"}' }), job(), ['document']],
    ['a schedule', job({ schedulingConfig: { startTime: '2099-01-01T00:00' } }), job(), ['schedulingConfig']],
    ['the same schedule, as the service holds it',
      job({ schedulingConfig: { startTime: '2099-01-01T00:00' } }), held({ schedulingConfig: { startTime: '2099-01-01T00:00' } }), []],
    ['the service\'s schedule with empty windows against the same without', job({ schedulingConfig: { startTime: '2099-01-01T00:00', maintenanceWindows: [] } }),
      held({ schedulingConfig: { startTime: '2099-01-01T00:00' } }), []],
    ['a job from a document in S3 is compared by its source, not its text',
      job({ document: undefined, documentSource: 'https://s3.amazonaws.com/docs/a.json' }),
      held({ document: undefined, documentSource: 'https://s3.amazonaws.com/docs/a.json' }), []],
    ['a mutable setting is no difference', job({ description: 'new' }), job({ description: 'old' }), []],
    ['several at once, in a stable order', job({ targets: [CANARY], destinationPackageVersions: [V2], document: '{}' }), job(),
      ['targets', 'destinationPackageVersions', 'document']],
  ])('%s', (_what, desired, other, expected) => {
    expect(differences(desired, other)).toEqual(expected);
  });
});

describe('inPlaceChanges: what UpdateJob applies, and what stays because the service cannot remove it', () => {
  test.each<[string, JobProps, JobProps, { applied: string[]; kept: string[] }]>([
    ['nothing changed', job({ description: 'd' }), job({ description: 'd' }), { applied: [], kept: [] }],
    ['a new description', job({ description: 'new' }), job({ description: 'old' }), { applied: ['description'], kept: [] }],
    ['a rollout rate added', job({ jobExecutionsRolloutConfig: { maximumPerMinute: 50 } }), job(), { applied: ['jobExecutionsRolloutConfig'], kept: [] }],
    ['a timeout removed stays on the job', job(), job({ timeoutConfig: { inProgressTimeoutInMinutes: 30 } }), { applied: [], kept: ['timeoutConfig'] }],
    ['a create-only change is not UpdateJob\'s', job({ targets: [CANARY] }), job(), { applied: [], kept: [] }],
  ])('%s', (_what, desired, current, expected) => {
    expect(inPlaceChanges(desired, current)).toEqual(expected);
  });
});
