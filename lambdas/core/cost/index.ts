export * from './assumptions.ts';
export * from './ingest.ts';
export * from './input.ts';
export * from './lines.ts';
export * from './model.ts';
export * from './prices.ts';
export * from './serving.ts';
export * from './train.ts';
