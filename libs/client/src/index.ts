export { RvClient, RvApiError, type RvClientOptions } from './rv-client';
export type * from './types';
