// The suites run as CI setups that forbid deprecated APIs do: a deprecated aws-cdk-lib API
// called by the library throws at synth instead of printing a warning.
process.env.JSII_DEPRECATED = 'fail';
