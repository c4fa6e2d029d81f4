export { Mirror } from './mirror.js';
export type * from './mirror.types.js';
