/**
 * The server's minimal logging seam. The agent passes its own logger; the
 * default writes warnings and errors to stderr so a failing loop is never silent.
 */
export interface ServerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const write = (level: string, message: string, fields?: Record<string, unknown>): void => {
  const extra = fields ? ` ${JSON.stringify(fields, errorReplacer)}` : '';
  process.stderr.write(`[server] ${level} ${message}${extra}\n`);
};

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

export const stderrLogger: ServerLogger = {
  info: () => undefined,
  warn: (m, f) => write('WARN', m, f),
  error: (m, f) => write('ERROR', m, f),
};

export const silentLogger: ServerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
