import type { App, cx_api as cxapi } from 'aws-cdk-lib';

/**
 * Synthesizes the app; a stack past CloudFormation's 500 resources, which aws-cdk-lib refuses,
 * is a figure, not a failure: the refusal's first line is answered instead.
 */
export function synthOrResourceLimit(app: App): { assembly: cxapi.CloudAssembly } | { overResourceLimit: string } {
  try {
    return { assembly: app.synth() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/Number of resources in stack/.test(message)) throw error;
    return { overResourceLimit: message.split('\n')[0] };
  }
}
