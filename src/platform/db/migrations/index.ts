import type { Migration } from 'kysely';
import * as m0001 from './0001_core.js';

/**
 * Every migration, in order. A migration is frozen once it has shipped: change the schema by adding
 * the next file here, never by editing an old one.
 */
export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
};
