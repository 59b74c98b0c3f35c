/**
 * Physical ids and attributes for ordinary (non-custom) resources, which the harness records
 * instead of creating. Names follow CloudFormation: the resource's name property when set,
 * otherwise `<stack>-<logicalId>-<RANDOM>`.
 */
import { randomBytes } from 'crypto';

export interface AccountEnvironment {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

/** The property that names a resource, for the types whose `Ref` is that name. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::Policy': 'PolicyName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::IoT::JobTemplate': 'JobTemplateId',
  'AWS::IoT::SoftwarePackage': 'PackageName',
  'AWS::IoT::Thing': 'ThingName',
  'AWS::IoT::ThingGroup': 'ThingGroupName',
  'AWS::IoT::FleetMetric': 'MetricName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::IoT::Policy': 'PolicyName',
};

/** ARN formats of types whose ARN is not `arn:<p>:<service>:<region>:<account>:<type>/<name>`. */
const ARN_FORMATS: Record<string, (name: string, env: AccountEnvironment) => string> = {
  'AWS::IAM::Role': (n, e) => `arn:${e.partition}:iam::${e.accountId}:role/${n}`,
  'AWS::IAM::User': (n, e) => `arn:${e.partition}:iam::${e.accountId}:user/${n}`,
  'AWS::Lambda::Function': (n, e) => `arn:${e.partition}:lambda:${e.region}:${e.accountId}:function:${n}`,
  'AWS::Logs::LogGroup': (n, e) => `arn:${e.partition}:logs:${e.region}:${e.accountId}:log-group:${n}:*`,
  'AWS::S3::Bucket': (n, e) => `arn:${e.partition}:s3:::${n}`,
  'AWS::IoT::SoftwarePackage': (n, e) => `arn:${e.partition}:iot:${e.region}:${e.accountId}:package/${n}`,
  'AWS::IoT::JobTemplate': (n, e) => `arn:${e.partition}:iot:${e.region}:${e.accountId}:jobtemplate/${n}`,
  'AWS::IoT::ThingGroup': (n, e) => `arn:${e.partition}:iot:${e.region}:${e.accountId}:thinggroup/${n}`,
  'AWS::IoT::FleetMetric': (n, e) => `arn:${e.partition}:iot:${e.region}:${e.accountId}:fleetmetric/${n}`,
};

export function physicalIdFor(
  type: string, logicalId: string, properties: Record<string, unknown>, stackName: string, env: AccountEnvironment,
): string {
  const nameProperty = NAME_PROPERTIES[type];
  const given = nameProperty ? properties[nameProperty] : undefined;
  const suffix = randomBytes(9).toString('base64').replace(/[^A-Za-z0-9]/g, 'X').toUpperCase().slice(0, 12);
  const generated = `${stackName.slice(0, 24)}-${logicalId.slice(0, 26)}-${suffix}`;
  const name = typeof given === 'string' && given.length > 0 ? given : type === 'AWS::S3::Bucket' ? generated.toLowerCase() : generated;
  // A managed policy's physical id (and Ref) is its ARN.
  return type === 'AWS::IAM::ManagedPolicy' ? `arn:${env.partition}:iam::${env.accountId}:policy/${name}` : name;
}

/** Attributes `Fn::GetAtt` can read besides the resource's own properties. */
export function attributesFor(type: string, physicalId: string, env: AccountEnvironment): Record<string, unknown> {
  if (type === 'AWS::IAM::ManagedPolicy') {
    return { PolicyArn: physicalId, Arn: physicalId };
  }
  const arnFormat = ARN_FORMATS[type];
  const [, service = 'unknown', resource = 'resource'] = type.split('::');
  const arn = arnFormat
    ? arnFormat(physicalId, env)
    : `arn:${env.partition}:${service.toLowerCase()}:${env.region}:${env.accountId}:${resource.toLowerCase()}/${physicalId}`;
  return { Arn: arn };
}
