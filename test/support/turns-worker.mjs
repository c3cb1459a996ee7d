// Loads turns-worker-body.ts in a worker thread (worker threads do not get vitest's TypeScript transform).
import { register } from 'tsx/esm/api';

register();
await import('./turns-worker-body.ts');
