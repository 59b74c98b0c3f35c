/**
 * Synth-time checks of literal values against the service's limits, one module per concern:
 * shared rules of values (`values`), names and ids (`names`), packages and versions (`catalog`),
 * jobs and job templates (`jobs`), and job-document placeholders (`placeholders`).
 */
export * from './catalog';
export * from './jobs';
export * from './names';
export * from './placeholders';
export * from './values';
