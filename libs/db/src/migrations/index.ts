import { Initial1764420000000 } from './1764420000000-initial';

/** Every migration, in order. Add new ones at the end; never edit an applied one. */
export const migrations = [Initial1764420000000];
