export * from './software-package';
export * from './package-version';
export * from './package-version-artifact';
export * from './package-version-sbom';
export * from './job-config';
export * from './package-configuration';
export * from './job-with-packages';
export * from './job-template-with-packages';
