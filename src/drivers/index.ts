import { KilnError } from '../structs/index.js';
import type { TaskDriver } from './driver.js';
import { RawExecDriver } from './raw-exec/index.js';

export type { TaskDriver, TaskConfig, TaskHandle, ExitResult, ExecOptions } from './driver.js';
export { RawExecDriver, RAW_EXEC } from './raw-exec/index.js';
export { PotDriver, POT, type PotDriverOptions } from './pot/index.js';

/** The drivers a client agent offers, by name (`raw_exec`, `pot`). */
export class DriverRegistry {
  private readonly drivers = new Map<string, TaskDriver>();

  constructor(drivers: TaskDriver[] = []) {
    for (const d of drivers) this.register(d);
  }

  register(driver: TaskDriver): void {
    this.drivers.set(driver.name, driver);
  }

  get(name: string): TaskDriver | undefined {
    return this.drivers.get(name);
  }

  /** The driver, or a DRIVER_ERROR naming the drivers this node has. */
  require(name: string): TaskDriver {
    const d = this.drivers.get(name);
    if (!d) throw new KilnError('DRIVER_ERROR', `driver "${name}" is not available on this node (available: ${this.names().join(', ') || 'none'})`);
    return d;
  }

  names(): string[] {
    return [...this.drivers.keys()].sort();
  }

  all(): TaskDriver[] {
    return [...this.drivers.values()];
  }
}

/** Drivers every client has; the pot driver is added by the agent where it is available. */
export function createDefaultDrivers(): DriverRegistry {
  return new DriverRegistry([new RawExecDriver()]);
}
