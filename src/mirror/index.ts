export { advanceCursor, type Cursor, checkOrder, checkServed, Refusal } from './check-entry.js';
export { Mirror } from './mirror.js';
export type * from './mirror.types.js';
