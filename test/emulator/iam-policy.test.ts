/**
 * Unit tests of the IAM identity-policy evaluator the emulator enforces IAM with.
 */
import {
  AuthorizationRequest,
  ContextValue,
  Decision,
  evaluate,
  PolicyDocument,
  policySize,
  PolicyStatement,
  wildcardMatch,
} from '../../local-cloud/emulator/iam-policy';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const pkgArn = (p: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:package/${p}`;
const verArn = (p: string, v: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:package/${p}/version/${v}`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/package-role`;

const doc = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const allow = (s: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: 'Allow', Action: 'iot:*', Resource: '*', ...s });
const deny = (s: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: 'Deny', Action: 'iot:*', Resource: '*', ...s });
const req = (action: string, resource: string, context?: Record<string, ContextValue | undefined>): AuthorizationRequest =>
  ({ action, resource, context });

type Context = Record<string, ContextValue | undefined>;

describe('evaluate: statement matching and decision', () => {
  test.each<[string, PolicyDocument[], AuthorizationRequest, Decision]>([
    ['no policies is an implicit deny', [], req('iot:GetPackage', pkgArn('app')), 'ImplicitDeny'],
    ['a matching Allow allows', [doc(allow({ Action: 'iot:GetPackage', Resource: pkgArn('app') }))], req('iot:GetPackage', pkgArn('app')), 'Allow'],
    ['an Allow for another action does not', [doc(allow({ Action: 'iot:GetPackage' }))], req('iot:DeletePackage', pkgArn('app')), 'ImplicitDeny'],
    ['Deny in another policy overrides Allow', [doc(allow()), doc(deny({ Action: 'iot:DeletePackage' }))], req('iot:DeletePackage', pkgArn('app')), 'ExplicitDeny'],
    ['Deny in the same policy overrides Allow', [doc(deny({ Action: 'iot:DeletePackage' }), allow())], req('iot:DeletePackage', pkgArn('app')), 'ExplicitDeny'],
    ['a Deny that does not apply leaves the Allow', [doc(allow(), deny({ Action: 'iot:DeletePackage' }))], req('iot:GetPackage', pkgArn('app')), 'Allow'],
    ['Deny alone is an explicit deny', [doc(deny())], req('iot:GetPackage', pkgArn('app')), 'ExplicitDeny'],
    ['Action is case-insensitive', [doc(allow({ Action: 'IoT:deletePACKAGE' }))], req('iot:DeletePackage', pkgArn('app')), 'Allow'],
    ['Action * in the name', [doc(allow({ Action: 'iot:Delete*' }))], req('iot:DeletePackageVersion', verArn('app', '1.0')), 'Allow'],
    ['Action * in the name, no match', [doc(allow({ Action: 'iot:Delete*' }))], req('iot:GetPackage', pkgArn('app')), 'ImplicitDeny'],
    ['Action ? is one character', [doc(allow({ Action: 'iot:?etPackage' }))], req('iot:GetPackage', pkgArn('app')), 'Allow'],
    ['Action ? is exactly one character', [doc(allow({ Action: 'iot:?etPackage' }))], req('iot:GetPackageVersion', pkgArn('app')), 'ImplicitDeny'],
    ['Action * alone matches any service', [doc(allow({ Action: '*' }))], req('iam:PassRole', ROLE_ARN), 'Allow'],
    ['Action list is ORed', [doc(allow({ Action: ['iot:GetPackage', 'iot:ListPackages'] }))], req('iot:ListPackages', '*'), 'Allow'],
    ['Action of another service does not match', [doc(allow({ Action: 'iot:*' }))], req('s3:GetObject', 'arn:aws:s3:::b/k'), 'ImplicitDeny'],
    ['NotAction applies to other actions', [doc(allow({ Action: undefined, NotAction: 'iot:Delete*' }))], req('iot:GetPackage', pkgArn('app')), 'Allow'],
    ['NotAction excludes the listed actions', [doc(allow({ Action: undefined, NotAction: 'iot:Delete*' }))], req('iot:DeletePackage', pkgArn('app')), 'ImplicitDeny'],
    ['Deny with NotAction denies everything else', [doc(allow(), deny({ Action: undefined, NotAction: ['iot:Get*', 'iot:List*'] }))], req('iot:UpdatePackage', pkgArn('app')), 'ExplicitDeny'],
    ['Resource is case-sensitive', [doc(allow({ Resource: pkgArn('App') }))], req('iot:GetPackage', pkgArn('app')), 'ImplicitDeny'],
    ['Resource * matches an ARN', [doc(allow({ Resource: '*' }))], req('iot:GetPackage', pkgArn('app')), 'Allow'],
    ['Resource * matches the unscoped resource', [doc(allow({ Resource: '*' }))], req('iot:ListPackages', '*'), 'Allow'],
    ['Resource ARN pattern does not match the unscoped resource', [doc(allow({ Resource: pkgArn('*') }))], req('iot:ListPackages', '*'), 'ImplicitDeny'],
    ['Resource * spans : and /', [doc(allow({ Resource: 'arn:aws:iot:*' }))], req('iot:GetPackageVersion', verArn('app', '1.0')), 'Allow'],
    ['Resource package/app* covers its versions', [doc(allow({ Resource: pkgArn('app*') }))], req('iot:GetPackageVersion', verArn('app', '1.0')), 'Allow'],
    ['Resource exact ARN does not cover its versions', [doc(allow({ Resource: pkgArn('app') }))], req('iot:GetPackageVersion', verArn('app', '1.0')), 'ImplicitDeny'],
    ['Resource ? is one character', [doc(allow({ Resource: pkgArn('app?') }))], req('iot:GetPackage', pkgArn('app1')), 'Allow'],
    ['Resource ? is exactly one character', [doc(allow({ Resource: pkgArn('app?') }))], req('iot:GetPackage', pkgArn('app10')), 'ImplicitDeny'],
    ['Resource list is ORed', [doc(allow({ Resource: [pkgArn('a'), pkgArn('b')] }))], req('iot:GetPackage', pkgArn('b')), 'Allow'],
    ['NotResource applies to other resources', [doc(allow({ Resource: undefined, NotResource: pkgArn('secret') }))], req('iot:GetPackage', pkgArn('app')), 'Allow'],
    ['NotResource excludes the listed resources', [doc(allow({ Resource: undefined, NotResource: pkgArn('secret') }))], req('iot:GetPackage', pkgArn('secret')), 'ImplicitDeny'],
    ['neither Resource nor NotResource does not apply', [doc(allow({ Resource: undefined }))], req('iot:GetPackage', pkgArn('app')), 'ImplicitDeny'],
    ['a single Statement object (not a list)', [{ Version: '2012-10-17', Statement: allow() }], req('iot:GetPackage', pkgArn('app')), 'Allow'],
  ])('%s', (_name, policies, request, expected) => {
    // WHEN
    const result = evaluate(policies, request);
    // THEN
    expect(result.decision).toBe(expected);
  });

  test('reports the statement that decided', () => {
    // GIVEN
    const a = allow({ Sid: 'AllowAll' });
    const d = deny({ Sid: 'DenyDelete', Action: 'iot:DeletePackage' });
    // THEN
    expect(evaluate([doc(a, d)], req('iot:DeletePackage', pkgArn('app')))).toEqual({ decision: 'ExplicitDeny', statement: d });
    expect(evaluate([doc(a, d)], req('iot:GetPackage', pkgArn('app')))).toEqual({ decision: 'Allow', statement: a });
    expect(evaluate([doc(d)], req('iot:GetPackage', pkgArn('app')))).toEqual({ decision: 'ImplicitDeny' });
  });
});

describe('evaluate: condition operators', () => {
  // Each row: an Allow statement with this Condition holds (Allow) or not (ImplicitDeny) for this context.
  test.each<[string, PolicyStatement['Condition'], Context, boolean]>([
    // aws:ResourceTag/<key> with StringEquals
    ['ResourceTag StringEquals: same value', { StringEquals: { 'aws:ResourceTag/team': 'blue' } }, { 'aws:ResourceTag/team': 'blue' }, true],
    ['ResourceTag StringEquals: tag absent', { StringEquals: { 'aws:ResourceTag/team': 'blue' } }, {}, false],
    ['ResourceTag StringEquals: different value', { StringEquals: { 'aws:ResourceTag/team': 'blue' } }, { 'aws:ResourceTag/team': 'red' }, false],
    ['StringEquals: values are case-sensitive', { StringEquals: { 'aws:ResourceTag/team': 'blue' } }, { 'aws:ResourceTag/team': 'Blue' }, false],
    ['StringEquals: keys are case-insensitive', { StringEquals: { 'aws:resourcetag/TEAM': 'blue' } }, { 'AWS:ResourceTag/Team': 'blue' }, true],
    ['StringEquals: a value list is ORed', { StringEquals: { 'aws:ResourceTag/team': ['red', 'blue'] } }, { 'aws:ResourceTag/team': 'blue' }, true],
    ['StringEquals: no wildcards', { StringEquals: { 'aws:ResourceTag/team': 'bl*' } }, { 'aws:ResourceTag/team': 'blue' }, false],
    ['StringEquals: undefined context value is absent', { StringEquals: { 'aws:ResourceTag/team': 'blue' } }, { 'aws:ResourceTag/team': undefined }, false],
    ['StringNotEquals: different value', { StringNotEquals: { 'aws:ResourceTag/team': 'red' } }, { 'aws:ResourceTag/team': 'blue' }, true],
    ['StringNotEquals: same value', { StringNotEquals: { 'aws:ResourceTag/team': 'blue' } }, { 'aws:ResourceTag/team': 'blue' }, false],
    ['StringNotEquals: key absent holds', { StringNotEquals: { 'aws:ResourceTag/team': 'blue' } }, {}, true],
    ['StringNotEquals: a value list is NORed', { StringNotEquals: { 'aws:ResourceTag/team': ['red', 'blue'] } }, { 'aws:ResourceTag/team': 'blue' }, false],
    ['StringEqualsIgnoreCase: other case', { StringEqualsIgnoreCase: { 'aws:ResourceTag/team': 'BLUE' } }, { 'aws:ResourceTag/team': 'blue' }, true],
    ['StringEqualsIgnoreCase: other value', { StringEqualsIgnoreCase: { 'aws:ResourceTag/team': 'BLUE' } }, { 'aws:ResourceTag/team': 'green' }, false],
    ['StringNotEqualsIgnoreCase: other case', { StringNotEqualsIgnoreCase: { 'aws:ResourceTag/team': 'BLUE' } }, { 'aws:ResourceTag/team': 'blue' }, false],
    ['StringNotEqualsIgnoreCase: other value', { StringNotEqualsIgnoreCase: { 'aws:ResourceTag/team': 'BLUE' } }, { 'aws:ResourceTag/team': 'green' }, true],
    ['StringLike: * matches', { StringLike: { 'iot:PackageName': 'fw-*' } }, { 'iot:PackageName': 'fw-app' }, true],
    ['StringLike: * no match', { StringLike: { 'iot:PackageName': 'fw-*' } }, { 'iot:PackageName': 'app' }, false],
    ['StringLike: ? is one character', { StringLike: { 'iot:PackageName': 'v?' } }, { 'iot:PackageName': 'v1' }, true],
    ['StringLike: ? is exactly one character', { StringLike: { 'iot:PackageName': 'v?' } }, { 'iot:PackageName': 'v10' }, false],
    ['StringLike: case-sensitive', { StringLike: { 'iot:PackageName': 'fw-*' } }, { 'iot:PackageName': 'FW-app' }, false],
    ['StringNotLike: no match holds', { StringNotLike: { 'iot:PackageName': 'fw-*' } }, { 'iot:PackageName': 'app' }, true],
    ['StringNotLike: match fails', { StringNotLike: { 'iot:PackageName': 'fw-*' } }, { 'iot:PackageName': 'fw-app' }, false],
    ['StringNotLike: key absent holds', { StringNotLike: { 'iot:PackageName': 'fw-*' } }, {}, true],

    // iam:PassedToService
    ['PassedToService StringEquals: the service', { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } }, { 'iam:PassedToService': 'iot.amazonaws.com' }, true],
    ['PassedToService StringEquals: another service', { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } }, { 'iam:PassedToService': 'lambda.amazonaws.com' }, false],
    ['PassedToService StringEquals: absent', { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } }, {}, false],

    // Numeric (CloudFormation may render numbers natively or as strings)
    ['NumericEquals: equal', { NumericEquals: { 's:n': '10' } }, { 's:n': 10 }, true],
    ['NumericEquals: native policy number, string context', { NumericEquals: { 's:n': 10 } }, { 's:n': '10.0' }, true],
    ['NumericEquals: different', { NumericEquals: { 's:n': '10' } }, { 's:n': 11 }, false],
    ['NumericEquals: not a number', { NumericEquals: { 's:n': '10' } }, { 's:n': 'ten' }, false],
    ['NumericEquals: absent', { NumericEquals: { 's:n': '10' } }, {}, false],
    ['NumericNotEquals: different', { NumericNotEquals: { 's:n': '10' } }, { 's:n': 11 }, true],
    ['NumericNotEquals: equal', { NumericNotEquals: { 's:n': '10' } }, { 's:n': 10 }, false],
    ['NumericNotEquals: absent holds', { NumericNotEquals: { 's:n': '10' } }, {}, true],
    ['NumericLessThan: less', { NumericLessThan: { 's:n': '10' } }, { 's:n': 9 }, true],
    ['NumericLessThan: equal', { NumericLessThan: { 's:n': '10' } }, { 's:n': 10 }, false],
    ['NumericLessThanEquals: equal', { NumericLessThanEquals: { 's:n': '10' } }, { 's:n': 10 }, true],
    ['NumericLessThanEquals: greater', { NumericLessThanEquals: { 's:n': '10' } }, { 's:n': 11 }, false],
    ['NumericGreaterThan: greater', { NumericGreaterThan: { 's:n': '10' } }, { 's:n': 10.5 }, true],
    ['NumericGreaterThan: equal', { NumericGreaterThan: { 's:n': '10' } }, { 's:n': 10 }, false],
    ['NumericGreaterThanEquals: equal', { NumericGreaterThanEquals: { 's:n': '10' } }, { 's:n': '10' }, true],
    ['NumericGreaterThanEquals: less', { NumericGreaterThanEquals: { 's:n': '10' } }, { 's:n': 9 }, false],

    // Date (ISO 8601 or epoch seconds, on either side)
    ['DateLessThan: earlier', { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2025-06-01T12:00:00Z' }, true],
    ['DateLessThan: later', { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2031-01-01T00:00:00Z' }, false],
    ['DateLessThan: absent', { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, {}, false],
    ['DateEquals: ISO policy, epoch context', { DateEquals: { 'aws:EpochTime': '2024-01-01T00:00:00Z' } }, { 'aws:EpochTime': 1704067200 }, true],
    ['DateEquals: epoch policy, ISO context', { DateEquals: { 'aws:CurrentTime': 1704067200 } }, { 'aws:CurrentTime': '2024-01-01T00:00:01Z' }, false],
    ['DateNotEquals: same instant', { DateNotEquals: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '1704067200' }, false],
    ['DateNotEquals: other instant', { DateNotEquals: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2024-01-02T00:00:00Z' }, true],
    ['DateLessThanEquals: same instant', { DateLessThanEquals: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2024-01-01T00:00:00Z' }, true],
    ['DateLessThanEquals: later', { DateLessThanEquals: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2024-01-01T00:00:01Z' }, false],
    ['DateGreaterThan: later', { DateGreaterThan: { 'aws:EpochTime': '2020-01-01T00:00:00Z' } }, { 'aws:EpochTime': 1700000000 }, true],
    ['DateGreaterThan: earlier', { DateGreaterThan: { 'aws:EpochTime': '2024-01-01T00:00:00Z' } }, { 'aws:EpochTime': 1700000000 }, false],
    ['DateGreaterThanEquals: same instant', { DateGreaterThanEquals: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2024-01-01T00:00:00.000Z' }, true],
    ['DateGreaterThanEquals: earlier', { DateGreaterThanEquals: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2023-12-31T23:59:59Z' }, false],

    // Bool (context booleans count as strings; CloudFormation may render the policy value natively)
    ['Bool: true', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': true }, true],
    ['Bool: false vs true', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': false }, false],
    ['Bool: native policy value, other case', { Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'TRUE' }, true],
    ['Bool: false matches false', { Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'false' }, true],
    ['Bool: absent', { Bool: { 'aws:SecureTransport': 'false' } }, {}, false],

    // ARN
    ['ArnLike: wildcard match', { ArnLike: { 'aws:SourceArn': `arn:aws:iot:*:${ACCOUNT}:package/*` } }, { 'aws:SourceArn': pkgArn('app') }, true],
    ['ArnLike: other account', { ArnLike: { 'aws:SourceArn': 'arn:aws:iot:*:111111111111:package/*' } }, { 'aws:SourceArn': pkgArn('app') }, false],
    ['ArnLike: case-sensitive', { ArnLike: { 'aws:SourceArn': 'arn:aws:iot:*:*:Package/*' } }, { 'aws:SourceArn': pkgArn('app') }, false],
    ['ArnEquals: exact', { ArnEquals: { 'aws:SourceArn': pkgArn('app') } }, { 'aws:SourceArn': pkgArn('app') }, true],
    ['ArnEquals: other ARN', { ArnEquals: { 'aws:SourceArn': pkgArn('app') } }, { 'aws:SourceArn': pkgArn('other') }, false],
    ['ArnNotEquals: other ARN', { ArnNotEquals: { 'aws:SourceArn': pkgArn('app') } }, { 'aws:SourceArn': pkgArn('other') }, true],
    ['ArnNotEquals: same ARN', { ArnNotEquals: { 'aws:SourceArn': pkgArn('app') } }, { 'aws:SourceArn': pkgArn('app') }, false],
    ['ArnNotLike: no match holds', { ArnNotLike: { 'aws:SourceArn': pkgArn('fw-*') } }, { 'aws:SourceArn': pkgArn('app') }, true],
    ['ArnNotLike: match fails', { ArnNotLike: { 'aws:SourceArn': pkgArn('fw-*') } }, { 'aws:SourceArn': pkgArn('fw-app') }, false],
    ['ArnNotLike: key absent holds', { ArnNotLike: { 'aws:SourceArn': pkgArn('fw-*') } }, {}, true],

    // IfExists
    ['IfExists: absent holds', { StringEqualsIfExists: { 'aws:ResourceTag/team': 'blue' } }, {}, true],
    ['IfExists: present and matching', { StringEqualsIfExists: { 'aws:ResourceTag/team': 'blue' } }, { 'aws:ResourceTag/team': 'blue' }, true],
    ['IfExists: present and different', { StringEqualsIfExists: { 'aws:ResourceTag/team': 'blue' } }, { 'aws:ResourceTag/team': 'red' }, false],
    ['IfExists on a numeric operator: absent holds', { NumericLessThanIfExists: { 's:n': '10' } }, {}, true],
    ['IfExists on a numeric operator: present and failing', { NumericLessThanIfExists: { 's:n': '10' } }, { 's:n': 12 }, false],

    // Null
    ['Null true: absent', { Null: { 'aws:ResourceTag/team': 'true' } }, {}, true],
    ['Null true: present', { Null: { 'aws:ResourceTag/team': 'true' } }, { 'aws:ResourceTag/team': 'blue' }, false],
    ['Null false: present', { Null: { 'aws:ResourceTag/team': 'false' } }, { 'aws:ResourceTag/team': 'blue' }, true],
    ['Null false: absent', { Null: { 'aws:ResourceTag/team': false } }, {}, false],
    ['Null false: empty multivalued key is absent', { Null: { 'aws:TagKeys': 'false' } }, { 'aws:TagKeys': [] }, false],

    // Set operators on the multivalued aws:TagKeys
    ['ForAllValues: every key allowed', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } }, { 'aws:TagKeys': ['team'] }, true],
    ['ForAllValues: one key not allowed', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } }, { 'aws:TagKeys': ['team', 'owner'] }, false],
    ['ForAllValues: absent key holds', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, {}, true],
    ['ForAllValues: empty key holds', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, { 'aws:TagKeys': [] }, true],
    ['ForAllValues:StringLike', { 'ForAllValues:StringLike': { 'aws:TagKeys': 'env*' } }, { 'aws:TagKeys': ['env', 'env-stage'] }, true],
    ['ForAllValues:StringNotEquals: none forbidden', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': 'secret' } }, { 'aws:TagKeys': ['a', 'b'] }, true],
    ['ForAllValues:StringNotEquals: one forbidden', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': 'secret' } }, { 'aws:TagKeys': ['a', 'secret'] }, false],
    ['ForAnyValue: one key listed', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['team', 'owner'] }, true],
    ['ForAnyValue: no key listed', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['owner'] }, false],
    ['ForAnyValue: absent key fails', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } }, {}, false],
    ['ForAnyValue: empty key fails', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': [] }, false],
    ['ForAnyValue:StringNotEquals: some other key', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['team', 'owner'] }, true],
    ['ForAnyValue:StringNotEquals: only that key', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['team'] }, false],
    ['ForAnyValue with IfExists: absent holds', { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'team' } }, {}, true],
    ['no set operator, multivalued, positive: any value', { StringEquals: { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['owner', 'team'] }, true],
    ['no set operator, multivalued, positive: no value', { StringEquals: { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['owner'] }, false],
    ['no set operator, multivalued, negated: a value matches', { StringNotEquals: { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['owner', 'team'] }, false],
    ['no set operator, multivalued, negated: none matches', { StringNotEquals: { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['owner'] }, true],

    // Tag-on-create: aws:RequestTag together with aws:TagKeys
    ['RequestTag + TagKeys: allowed', {
      'StringEquals': { 'aws:RequestTag/team': 'blue' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] },
    }, { 'aws:RequestTag/team': 'blue', 'aws:RequestTag/env': 'prod', 'aws:TagKeys': ['team', 'env'] }, true],
    ['RequestTag + TagKeys: an extra tag key', {
      'StringEquals': { 'aws:RequestTag/team': 'blue' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] },
    }, { 'aws:RequestTag/team': 'blue', 'aws:RequestTag/owner': 'x', 'aws:TagKeys': ['team', 'owner'] }, false],
    ['RequestTag + TagKeys: the required tag missing', {
      'StringEquals': { 'aws:RequestTag/team': 'blue' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] },
    }, { 'aws:RequestTag/env': 'prod', 'aws:TagKeys': ['env'] }, false],

    // Blocks and keys are ANDed
    ['two keys in a block: both hold', { StringEquals: { 'aws:ResourceTag/team': 'blue', 'aws:ResourceTag/env': 'prod' } }, { 'aws:ResourceTag/team': 'blue', 'aws:ResourceTag/env': 'prod' }, true],
    ['two keys in a block: one fails', { StringEquals: { 'aws:ResourceTag/team': 'blue', 'aws:ResourceTag/env': 'prod' } }, { 'aws:ResourceTag/team': 'blue', 'aws:ResourceTag/env': 'dev' }, false],
    ['two blocks: one fails', { StringEquals: { 'aws:ResourceTag/team': 'blue' }, Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:ResourceTag/team': 'blue', 'aws:SecureTransport': false }, false],

    // Policy variables in condition values
    ['variable in a value: resolves and matches', { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } }, { 'aws:username': 'alice', 'aws:ResourceTag/owner': 'alice' }, true],
    ['variable in a value: resolves, different', { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } }, { 'aws:username': 'alice', 'aws:ResourceTag/owner': 'bob' }, false],
    ['variable in a value: unresolved matches nothing', { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } }, { 'aws:ResourceTag/owner': '${aws:username}' }, false],
    ['variable in a negated value: unresolved does not hold', { StringNotEquals: { 'aws:ResourceTag/owner': '${aws:username}' } }, { 'aws:ResourceTag/owner': 'bob' }, false],
    ['variable with a default value', { StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/team, 'shared'}" } }, { 'aws:ResourceTag/team': 'shared' }, true],
    ['variable in StringLike: substituted text is literal', { StringLike: { 's:k': '${aws:PrincipalTag/p}-*' } }, { 'aws:PrincipalTag/p': 'a?', 's:k': 'ab-x' }, false],
    ['${*} is a literal *', { StringLike: { 's:k': 'a${*}b' } }, { 's:k': 'a*b' }, true],
    ['${*} is not a wildcard', { StringLike: { 's:k': 'a${*}b' } }, { 's:k': 'axb' }, false],
    ['${?} and ${$} are literal', { StringEquals: { 's:k': '${?}${$}' } }, { 's:k': '?$' }, true],
  ])('%s', (_name, condition, context, holds) => {
    // GIVEN
    const policy = doc(allow({ Condition: condition }));
    // WHEN
    const result = evaluate([policy], req('iot:TagResource', pkgArn('app'), context));
    // THEN
    expect(result.decision).toBe(holds ? 'Allow' : 'ImplicitDeny');
  });

  test('iam:PassedToService on iam:PassRole', () => {
    // GIVEN
    const policy = doc(allow({
      Action: 'iam:PassRole',
      Resource: ROLE_ARN,
      Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
    }));
    // THEN
    expect(evaluate([policy], req('iam:PassRole', ROLE_ARN, { 'iam:PassedToService': 'iot.amazonaws.com' })).decision).toBe('Allow');
    expect(evaluate([policy], req('iam:PassRole', ROLE_ARN, { 'iam:PassedToService': 'lambda.amazonaws.com' })).decision).toBe('ImplicitDeny');
  });

  test('a Deny scoped by a ResourceTag condition overrides a broad Allow only when it holds', () => {
    // GIVEN
    const policies = [doc(allow(), deny({ Action: 'iot:DeletePackage', Condition: { StringEquals: { 'aws:ResourceTag/protected': 'true' } } }))];
    // THEN
    expect(evaluate(policies, req('iot:DeletePackage', pkgArn('app'), { 'aws:ResourceTag/protected': 'true' })).decision).toBe('ExplicitDeny');
    expect(evaluate(policies, req('iot:DeletePackage', pkgArn('app'), {})).decision).toBe('Allow');
  });
});

describe('evaluate: policy variables in Resource', () => {
  const ownTeam = doc(allow({ Resource: pkgArn('${aws:PrincipalTag/team}-*') }));

  test.each<[string, PolicyDocument, string, Context, Decision]>([
    ['resolves to the context value', ownTeam, pkgArn('blue-app'), { 'aws:PrincipalTag/team': 'blue' }, 'Allow'],
    ['resolved value must match', ownTeam, pkgArn('red-app'), { 'aws:PrincipalTag/team': 'blue' }, 'ImplicitDeny'],
    ['the key is looked up case-insensitively', ownTeam, pkgArn('blue-app'), { 'AWS:PRINCIPALTAG/TEAM': 'blue' }, 'Allow'],
    ['a missing key matches nothing', ownTeam, pkgArn('blue-app'), {}, 'ImplicitDeny'],
    ['a missing key does not match its own text', ownTeam, pkgArn('${aws:PrincipalTag/team}-app'), {}, 'ImplicitDeny'],
    ['a multivalued key does not resolve', ownTeam, pkgArn('blue-app'), { 'aws:PrincipalTag/team': ['blue'] }, 'ImplicitDeny'],
    ['a default value stands in for a missing key', doc(allow({ Resource: pkgArn("${aws:PrincipalTag/team, 'shared'}-*") })), pkgArn('shared-app'), {}, 'Allow'],
    ['${*} is a literal *', doc(allow({ Resource: pkgArn('${*}') })), pkgArn('*'), {}, 'Allow'],
    ['${*} is not a wildcard', doc(allow({ Resource: pkgArn('${*}') })), pkgArn('app'), {}, 'ImplicitDeny'],
    // Without Version 2012-10-17, IAM reads `${...}` as literal text.
    ['no Version: variables are literal text', { Statement: allow({ Resource: pkgArn('${aws:username}') }) }, pkgArn('${aws:username}'), { 'aws:username': 'alice' }, 'Allow'],
    ['no Version: variables are not substituted', { Statement: allow({ Resource: pkgArn('${aws:username}') }) }, pkgArn('alice'), { 'aws:username': 'alice' }, 'ImplicitDeny'],
  ])('%s', (_name, policy, resource, context, expected) => {
    expect(evaluate([policy], req('iot:GetPackage', resource, context)).decision).toBe(expected);
  });
});

describe('evaluate: malformed policies throw', () => {
  test.each<[string, PolicyStatement, RegExp]>([
    ['unknown operator', allow({ Condition: { StringEqualz: { 's:k': 'v' } } }), /StringEqualz/],
    ['an Object.prototype member is no operator', allow({ Condition: { toString: { 's:k': 'v' } } }), /toString/],
    ['unknown operator with a set prefix', allow({ Condition: { 'ForAllValues:IpAddress': { 'aws:SourceIp': '10.0.0.0/8' } } }), /ForAllValues:IpAddress/],
    ['Null does not take IfExists', allow({ Condition: { NullIfExists: { 's:k': 'true' } } }), /NullIfExists/],
    ['Null takes true or false', allow({ Condition: { Null: { 's:k': 'yes' } } }), /Null/],
    ['invalid number', allow({ Condition: { NumericEquals: { 's:n': 'ten' } } }), /numeric/],
    ['invalid date', allow({ Condition: { DateEquals: { 's:d': 'someday' } } }), /date/],
    ['object condition value', allow({ Condition: { StringEquals: { 's:k': { 'Fn::GetAtt': ['X', 'Y'] } } } }), /s:k/],
    ['both Action and NotAction', allow({ NotAction: 'iot:Get*' }), /Action and NotAction/],
    ['neither Action nor NotAction', allow({ Action: undefined }), /neither Action nor NotAction/],
    ['both Resource and NotResource', allow({ NotResource: pkgArn('x') }), /Resource and NotResource/],
    ['invalid Effect', { Effect: 'Permit' as 'Allow', Action: '*', Resource: '*' }, /Effect/],
  ])('%s', (_name, statement, message) => {
    // Values present so comparisons run: the error must surface whatever the context.
    const context = { 's:k': 'v', 's:n': '1', 's:d': '2024-01-01T00:00:00Z' };
    expect(() => evaluate([doc(statement)], req('iot:GetPackage', pkgArn('app'), context))).toThrow(message);
  });

  test('an unknown operator throws even when its statement does not apply', () => {
    // GIVEN
    const statement = allow({ Action: 'iot:DeletePackage', Condition: { StringEqualz: { 's:k': 'v' } } });
    // THEN
    expect(() => evaluate([doc(statement)], req('iot:GetPackage', pkgArn('app')))).toThrow(/StringEqualz/);
  });
});

describe('wildcardMatch', () => {
  test.each<[string, string, boolean, boolean]>([
    ['*', '', false, true],
    ['*', 'anything at all', false, true],
    ['a*c', 'abbbc', false, true],
    ['a*c', 'abd', false, false],
    ['a?c', 'abc', false, true],
    ['a?c', 'ac', false, false],
    ['a.c', 'abc', false, false],
    ['(x)+[y]', '(x)+[y]', false, true],
    ['A*', 'abc', false, false],
    ['A*', 'abc', true, true],
    ['arn:aws:iot:*', verArn('app', '1.0'), false, true],
    ['line*', 'line\nbreak', false, true],
  ])('%j matches %j (ignoreCase %s): %s', (pattern, value, ignoreCase, expected) => {
    expect(wildcardMatch(pattern, value, { ignoreCase })).toBe(expected);
  });

  test('is case-sensitive by default', () => {
    expect(wildcardMatch('App', 'app')).toBe(false);
  });
});

describe('policySize', () => {
  test('counts the JSON without whitespace, inside strings too', () => {
    // GIVEN a tag value with a space in it
    const policy: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: ['iot:GetPackage', 'iot:ListPackages'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/team': 'Team Blue' } },
      }],
    };
    // THEN
    const compact = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iot:GetPackage","iot:ListPackages"],'
      + '"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"TeamBlue"}}}]}';
    expect(policySize(policy)).toBe(compact.length);
    expect(policySize(policy)).toBe(184);
  });

  test('does not depend on how the document was formatted', () => {
    // GIVEN
    const pretty = `{
      "Version": "2012-10-17",
      "Statement": { "Effect": "Allow", "Action": "iot:*", "Resource": "*" }
    }`;
    // THEN
    expect(policySize(JSON.parse(pretty))).toBe(policySize({ Version: '2012-10-17', Statement: allow() }));
  });
});
