/**
 * IAM size estimates count `${AWS::Partition}` at its length in the stack's region: the
 * partition comes from a table of region prefixes, which agrees with aws-cdk-lib's region facts.
 */
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { partitionOf } from '../../src/private/grant-pool';

test('every region aws-cdk-lib knows is in the partition its facts name', () => {
  const known = RegionInfo.regions.filter((r) => r.partition !== undefined);
  expect(known.length).toBeGreaterThan(30);
  expect(known.filter((r) => partitionOf(r.name) !== r.partition).map((r) => `${r.name}: ${r.partition}`)).toEqual([]);
});

test('a region of unknown form counts as the longest partition name', () => {
  expect(partitionOf('xx-future-1')).toEqual('aws-us-gov');
});
