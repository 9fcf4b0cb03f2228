export * from './ids.ts';
export * from './pole/index.ts';
export * from './contract/index.ts';
export * from './fui-call/index.ts';
export * from './fui-project/index.ts';
