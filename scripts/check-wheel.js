// Checks the Python wheel holds the module and its jsii bundle: the wheel cannot be imported
// here (the jsii runtime and aws-cdk-lib for Python come from PyPI), so its contents are checked.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
const wheels = fs.readdirSync(dir).filter((f) => f.endsWith('.whl'));
if (wheels.length !== 1) throw new Error(`expected one wheel in ${dir}, found: ${wheels.join(', ') || 'none'}`);
const wheel = path.join(dir, wheels[0]);
const listing = execFileSync('/usr/bin/python3', ['-m', 'zipfile', '-l', wheel], { encoding: 'utf8' });
for (const expected of [/cdk_iot_package_catalog\/__init__\.py/, /cdk_iot_package_catalog\/_jsii\/.*\.jsii\.tgz/, /cdk_iot_package_catalog\/py\.typed/]) {
  if (!expected.test(listing)) throw new Error(`${wheel} lacks ${expected}:\n${listing}`);
}
console.log(`${wheel}: module, type marker and jsii bundle present`);
