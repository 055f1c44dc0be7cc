export * from './assumptions.ts';
export * from './model.ts';
export * from './prices.ts';
