import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * On-disk layout of one allocation:
 * `<dataDir>/alloc/<allocId>/alloc/logs` (shared; task logs),
 * `<dataDir>/alloc/<allocId>/<task>/{local,secrets}` (per task).
 */
export class AllocDir {
  readonly root: string;

  constructor(dataDir: string, readonly allocId: string) {
    this.root = join(dataDir, 'alloc', allocId);
  }

  get sharedDir(): string {
    return join(this.root, 'alloc');
  }

  get logDir(): string {
    return join(this.root, 'alloc', 'logs');
  }

  taskDir(task: string): string {
    return join(this.root, task);
  }

  localDir(task: string): string {
    return join(this.root, task, 'local');
  }

  secretsDir(task: string): string {
    return join(this.root, task, 'secrets');
  }

  buildShared(): void {
    mkdirSync(this.logDir, { recursive: true });
    mkdirSync(join(this.sharedDir, 'data'), { recursive: true });
    mkdirSync(join(this.sharedDir, 'tmp'), { recursive: true });
  }

  buildTask(task: string): void {
    mkdirSync(this.localDir(task), { recursive: true });
    mkdirSync(this.secretsDir(task), { recursive: true, mode: 0o700 });
  }

  destroy(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
