import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Compiled tests live in dist/test/jobspec; fixtures stay in test/fixtures/jobs. */
export const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/jobs/${name}`, import.meta.url));

export const readFixture = (name: string): string => readFileSync(fixturePath(name), 'utf8');
