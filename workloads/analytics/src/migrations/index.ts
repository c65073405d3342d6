// The migrations, in order. Each is applied once, in its own transaction (migrate.ts).
import * as aggregates from './001-aggregates.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [aggregates];
