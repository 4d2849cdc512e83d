import { checkConfig, type DriverConfigProblem, type DriverConfigSchema } from './config-schema.js';
import { POT_CONFIG_SCHEMA } from './pot/config-schema.js';
import { RAW_EXEC_CONFIG_SCHEMA } from './raw-exec/config.js';

export type { DriverConfigProblem, DriverConfigSchema } from './config-schema.js';

/**
 * The config schemas of the drivers kiln ships, by driver name. Imported by the
 * server's job validation, so it pulls in the schemas only, not the drivers.
 */
const SCHEMAS = new Map<string, DriverConfigSchema>([POT_CONFIG_SCHEMA, RAW_EXEC_CONFIG_SCHEMA].map((s) => [s.driver, s]));

export function driverConfigSchema(driver: string): DriverConfigSchema | undefined {
  return SCHEMAS.get(driver);
}

/** Problems in a task's `config` for a driver kiln knows; undefined for any other driver (checked by its node, as Nomad does). */
export function checkDriverConfig(driver: string, config: unknown): DriverConfigProblem[] | undefined {
  const spec = SCHEMAS.get(driver);
  return spec ? checkConfig(spec, config) : undefined;
}
