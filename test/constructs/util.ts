import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const ENV = { account: '123456789012', region: 'us-east-1' };

export function newStack(id = 'TestStack'): Stack {
  const app = new App();
  return new Stack(app, id, { env: ENV });
}

/** The stack's template with asset hashes replaced, so snapshots survive handler changes. */
export function stableTemplate(stack: Stack): unknown {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(json.replace(/[0-9a-f]{64}(\.zip)?/g, (_m, zip) => `[ASSET HASH]${zip ?? ''}`));
}
