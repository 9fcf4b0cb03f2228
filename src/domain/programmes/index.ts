export * from './programme.ts';
export * from './catalogue.ts';
