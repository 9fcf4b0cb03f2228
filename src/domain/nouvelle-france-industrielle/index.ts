export * from './rules.ts';
export * from './plans/index.ts';
export * from './priorities/index.ts';
