/**
 * What IAM resources of a template do to the account's IAM: the harness reports each create,
 * update and delete of a role or policy here, so that the emulators evaluate each call against
 * the policies of that moment (updated ones before cleanup, reverted ones during rollback).
 */
import { isObject } from './intrinsics';
import type { AccountEnvironment } from './synthetic-resources';
import type { IamAuthority, PolicyDocument } from '../emulator/iam-authority';
import { policySize } from '../emulator/iam-policy';

export const IAM_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

/** IAM's quotas (whitespace excluded from sizes), as IAM refuses a change that breaks one. */
export const IAM_LIMITS = {
  inlinePoliciesPerRoleChars: 10_240,
  managedPolicyChars: 6_144,
  managedPoliciesPerRole: 10,
};

export interface IamChange {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly action: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly physicalId: string;
  readonly properties: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
}

/**
 * Applies one IAM resource operation to the authority. A change that would break one of IAM's
 * quotas throws IAM's error (the resource fails) and changes nothing.
 */
export function applyIamChange(iam: IamAuthority, env: AccountEnvironment, change: IamChange): void {
  const before = iam.save();
  try {
    apply(iam, env, change);
    checkLimits(iam);
  } catch (error) {
    iam.restore(before);
    throw error;
  }
}

function checkLimits(iam: IamAuthority): void {
  for (const roleArn of iam.roleArns()) {
    const name = roleArn.split('/').pop();
    const inline = iam.inlinePoliciesOf(roleArn).reduce((sum, document) => sum + policySize(document), 0);
    if (inline > IAM_LIMITS.inlinePoliciesPerRoleChars) {
      throw new Error(`Maximum policy size of ${IAM_LIMITS.inlinePoliciesPerRoleChars} bytes exceeded for role ${name} (Service: Iam, Status Code: 409, Request ID: LimitExceeded)`);
    }
    const managed = iam.managedPolicyArnsOf(roleArn);
    if (managed.length > IAM_LIMITS.managedPoliciesPerRole) {
      throw new Error(`Cannot exceed quota for PoliciesPerRole: ${IAM_LIMITS.managedPoliciesPerRole} (Service: Iam, Status Code: 409, Request ID: LimitExceeded)`);
    }
  }
  for (const [arn, document] of iam.managedPolicies()) {
    if (policySize(document) > IAM_LIMITS.managedPolicyChars) {
      throw new Error(`Cannot exceed quota for PolicySize: ${IAM_LIMITS.managedPolicyChars} (policy ${arn}) (Service: Iam, Status Code: 409, Request ID: LimitExceeded)`);
    }
  }
}

function apply(iam: IamAuthority, env: AccountEnvironment, change: IamChange): void {
  const source = `${change.stackName}/${change.logicalId}`;
  const roleArn = (name: string) => `arn:${env.partition}:iam::${env.accountId}:role/${name}`;
  const rolesOf = (properties: Record<string, unknown> | undefined) => stringList(properties?.Roles).map(roleArn);
  // An update replaces what the resource gave before, as IAM's own update does.
  const previous = change.action === 'UPDATE' ? change.oldProperties : change.action === 'DELETE' ? change.properties : undefined;

  switch (change.type) {
    case 'AWS::IAM::Role': {
      const arn = roleArn(change.physicalId);
      if (change.action === 'DELETE') {
        iam.deleteRole(arn);
        return;
      }
      const inline: Record<string, PolicyDocument> = {};
      for (const policy of Array.isArray(change.properties.Policies) ? change.properties.Policies : []) {
        if (isObject(policy)) inline[String(policy.PolicyName)] = policy.PolicyDocument as PolicyDocument;
      }
      iam.putGrant(arn, source, { inline, managed: stringList(change.properties.ManagedPolicyArns) });
      return;
    }
    case 'AWS::IAM::Policy': {
      for (const arn of rolesOf(previous)) iam.deleteGrant(arn, source);
      if (change.action === 'DELETE') return;
      const name = String(change.properties.PolicyName ?? change.physicalId);
      for (const arn of rolesOf(change.properties)) {
        iam.putGrant(arn, source, { inline: { [name]: change.properties.PolicyDocument as PolicyDocument } });
      }
      return;
    }
    case 'AWS::IAM::ManagedPolicy': {
      const policyArn = change.physicalId;
      for (const arn of rolesOf(previous)) iam.deleteGrant(arn, source);
      if (change.action === 'DELETE') {
        iam.deleteManagedPolicy(policyArn);
        return;
      }
      iam.putManagedPolicy(policyArn, change.properties.PolicyDocument as PolicyDocument);
      for (const arn of rolesOf(change.properties)) iam.putGrant(arn, source, { managed: [policyArn] });
      return;
    }
  }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
