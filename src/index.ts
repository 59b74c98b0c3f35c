export * from './software-package';
export * from './package-version';
export * from './package-version-artifact';
export * from './package-version-sbom';
