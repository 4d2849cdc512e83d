import { randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** The 8-character short form printed by the CLI. */
export const shortId = (id: string): string => id.slice(0, 8);
