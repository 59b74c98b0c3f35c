/**
 * The account's IAM as the local cloud sees it: roles, their inline policies and the managed
 * policies attached to them, kept current by the deploy harness as it creates, updates,
 * reverts and deletes IAM resources. The emulators ask it whether the caller of each request
 * may do what the request does; callers are told apart by the access key id of their SigV4
 * signature. A key it never issued belongs to an administrator (tests that call an emulator
 * directly), so only the credentials of a deployed role are ever restricted.
 */
import { createHash } from 'crypto';
import { AuthorizationRequest, evaluate, PolicyDocument } from './iam-policy';

export type { AuthorizationRequest, PolicyDocument } from './iam-policy';

export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** A call IAM refused, kept so a test can prove that no call of a deploy was denied. */
export interface Denial {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly message: string;
}

/** What one source (a role's own properties, a policy resource) gives a role. */
interface Grant {
  readonly inline: Readonly<Record<string, PolicyDocument>>;
  readonly managed: readonly string[];
}

export class IamAuthority {
  public readonly denials: Denial[] = [];
  /** role ARN → source id → what that source gives the role. */
  private readonly roles = new Map<string, Map<string, Grant>>();
  private readonly policyDocuments = new Map<string, PolicyDocument>();
  private readonly keys = new Map<string, string>();

  /** Temporary credentials of a role, as Lambda gives its function (the same for every call). */
  public credentialsFor(roleArn: string): RoleCredentials {
    const accessKeyId = `ASIA${createHash('sha256').update(roleArn).digest('hex').slice(0, 16).toUpperCase()}`;
    this.keys.set(accessKeyId, roleArn);
    return { accessKeyId, secretAccessKey: `secret/${accessKeyId}`, sessionToken: `session/${accessKeyId}` };
  }

  /** The role an access key belongs to, or undefined for an administrator. */
  public principalOf(accessKeyId: string | undefined): string | undefined {
    return accessKeyId === undefined ? undefined : this.keys.get(accessKeyId);
  }

  /**
   * Sets what one source gives a role: inline policies by name and managed policy ARNs it
   * attaches. A role's own `Policies` and `ManagedPolicyArns` are one source; each
   * `AWS::IAM::Policy` or `AWS::IAM::ManagedPolicy` attaching to it is another.
   */
  public putGrant(roleArn: string, source: string, grant: { inline?: Record<string, PolicyDocument>; managed?: readonly string[] }): void {
    let sources = this.roles.get(roleArn);
    if (!sources) {
      sources = new Map();
      this.roles.set(roleArn, sources);
    }
    sources.set(source, { inline: { ...grant.inline }, managed: [...(grant.managed ?? [])] });
  }

  public deleteGrant(roleArn: string, source: string): void {
    this.roles.get(roleArn)?.delete(source);
  }

  public deleteRole(roleArn: string): void {
    this.roles.delete(roleArn);
  }

  public putManagedPolicy(policyArn: string, document: PolicyDocument): void {
    this.policyDocuments.set(policyArn, document);
  }

  public deleteManagedPolicy(policyArn: string): void {
    this.policyDocuments.delete(policyArn);
  }

  public roleArns(): string[] {
    return [...this.roles.keys()];
  }

  public inlinePoliciesOf(roleArn: string): PolicyDocument[] {
    return [...(this.roles.get(roleArn)?.values() ?? [])].flatMap((g) => Object.values(g.inline));
  }

  public managedPolicyArnsOf(roleArn: string): string[] {
    return [...new Set([...(this.roles.get(roleArn)?.values() ?? [])].flatMap((g) => g.managed))];
  }

  public managedPolicies(): Array<[string, PolicyDocument]> {
    return [...this.policyDocuments.entries()];
  }

  /** A copy of the roles and policies, to put back when a change fails. */
  public save(): unknown {
    return { roles: new Map([...this.roles].map(([arn, sources]) => [arn, new Map(sources)])), managed: new Map(this.policyDocuments) };
  }

  public restore(saved: unknown): void {
    const { roles, managed } = saved as { roles: Map<string, Map<string, Grant>>; managed: Map<string, PolicyDocument> };
    this.roles.clear();
    for (const [arn, sources] of roles) this.roles.set(arn, sources);
    this.policyDocuments.clear();
    for (const [arn, document] of managed) this.policyDocuments.set(arn, document);
  }

  /** The documents IAM evaluates for a role now: its inline policies and attached managed ones. */
  public policiesOf(roleArn: string): PolicyDocument[] {
    const grants = [...(this.roles.get(roleArn)?.values() ?? [])];
    const managed = new Set(grants.flatMap((g) => g.managed));
    return [
      ...grants.flatMap((g) => Object.values(g.inline)),
      ...[...managed].flatMap((arn) => {
        const document = this.policyDocuments.get(arn);
        return document ? [document] : [];
      }),
    ];
  }

  /**
   * Authorizes every part of one request (an action on each resource it touches); returns the
   * first refusal as IAM words it, or undefined when all are allowed. Refusals are recorded.
   */
  public authorize(accessKeyId: string | undefined, requests: readonly AuthorizationRequest[]): Denial | undefined {
    const roleArn = this.principalOf(accessKeyId);
    if (roleArn === undefined) return undefined;
    const policies = this.policiesOf(roleArn);
    for (const request of requests) {
      const { decision } = evaluate(policies, request);
      if (decision === 'Allow') continue;
      const reason = decision === 'ExplicitDeny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${request.action} action`;
      const denial: Denial = {
        principal: roleArn,
        action: request.action,
        resource: request.resource,
        message: `User: ${assumedRoleArn(roleArn)} is not authorized to perform: ${request.action} on resource: ${request.resource} ${reason}`,
      };
      this.denials.push(denial);
      return denial;
    }
    return undefined;
  }
}

/** `arn:aws:sts::<account>:assumed-role/<name>/<session>`, as IAM names a role's caller. */
function assumedRoleArn(roleArn: string): string {
  const match = /^arn:([^:]+):iam::(\d+):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return match ? `arn:${match[1]}:sts::${match[2]}:assumed-role/${match[3]}/session` : roleArn;
}

/** The access key id of a SigV4-signed request (`Credential=<key>/<date>/...`). */
export function accessKeyIdOf(authorization: string | string[] | undefined): string | undefined {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  return header ? /Credential=([^/,\s]+)\//.exec(header)?.[1] : undefined;
}
