import { Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PackageCatalogProvider } from './provider';

/**
 * Constructs whose queries read the `$package` shadow (dynamic thing groups, fleet metrics)
 * match devices only once fleet indexing indexes that shadow: they wait for the app's
 * `PackageConfiguration` with `fleetIndexing`, in either order of declaration.
 *
 * @internal
 */
export interface PackageShadowQuerier extends IConstruct {
  /** Marks the construct; the configuration finds it by this member. */
  readonly _queriesPackageShadow: true;
}

function isQuerier(construct: IConstruct): construct is PackageShadowQuerier {
  return (construct as Partial<PackageShadowQuerier>)._queriesPackageShadow === true;
}

function sameEnvironment(a: IConstruct, b: IConstruct): boolean {
  const x = Stack.of(a);
  const y = Stack.of(b);
  return x.account === y.account && x.region === y.region;
}

/** The app's fleet indexing of the `$package` shadow for the querier's account and region. */
function indexingFor(querier: IConstruct): IConstruct | undefined {
  return PackageCatalogProvider.allInApp(querier.node.root)
    .map((provider) => provider.packageShadowIndexing)
    .find((indexing): indexing is IConstruct => indexing !== undefined && sameEnvironment(indexing, querier));
}

/**
 * A dependency on the indexing: in another stack of the same stage, CDK makes it a dependency
 * between the stacks (`Stack#addDependency` is deprecated in newer aws-cdk-lib releases).
 * Stacks of different stages deploy separately, and cannot wait for each other.
 */
function waitFor(querier: IConstruct, indexing: IConstruct): void {
  if (Stage.of(Stack.of(querier)) === Stage.of(Stack.of(indexing))) {
    querier.node.addDependency(indexing);
  }
}

/**
 * Makes `querier` wait for the `$package` shadow's fleet indexing; without one in the app for
 * its account and region, synth fails, unless the account's indexing is managed elsewhere.
 */
export function requirePackageShadowIndex(querier: PackageShadowQuerier, kind: string, assumeIndexed: boolean): void {
  const indexing = indexingFor(querier);
  if (indexing) waitFor(querier, indexing);
  if (assumeIndexed) return;
  querier.node.addValidation({
    validate: () => indexingFor(querier) ? [] : [
      `${kind} ${querier.node.path} queries the $package shadow, which fleet indexing must index before it matches any device. ` +
      'Add new PackageConfiguration(scope, id, { fleetIndexing: true }) to a stack of the same account and region, or set ' +
      'assumeFleetIndexing: true if the account already indexes the $package named shadow.',
    ],
  });
}

/** Records the `$package` shadow's fleet indexing, and makes the app's queriers declared so far wait for it. */
export function providePackageShadowIndex(indexing: IConstruct): void {
  PackageCatalogProvider.of(indexing).packageShadowIndexing = indexing;
  for (const construct of indexing.node.root.node.findAll()) {
    if (isQuerier(construct) && sameEnvironment(construct, indexing)) waitFor(construct, indexing);
  }
}
