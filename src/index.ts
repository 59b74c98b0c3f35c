export * from './software-package';
export * from './package-version';
