// Worker threads do not inherit tsx's loader from `--import`: register it in this thread, then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
