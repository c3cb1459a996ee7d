/** Every table, for drizzle-kit and for typed queries. */
export * from './automations';
export * from './brand';
export * from './dashboard';
export * from './events';
export * from './identity';
export * from './imports';
export * from './jobs';
export * from './journey';
export * from './ml';
export * from './streams';
export * from './webhooks';
