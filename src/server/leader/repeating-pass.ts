/**
 * A leader duty's loop: run `pass`, wait `delayMs()`, run it again, until stopped.
 * Passes never overlap, and stop() waits for the one in progress, so a deposed
 * leader has finished writing before it steps down.
 */
export class RepeatingPass {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> = Promise.resolve();
  private running = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly delayMs: () => number,
  ) {}

  /** False once stop() was called: a long pass checks it between items. */
  get active(): boolean {
    return this.running;
  }

  /** Starts the loop (no-op when running); the first pass runs after one delay. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.current = this.pass().finally(() => this.schedule());
    }, this.delayMs());
    this.timer.unref();
  }
}
