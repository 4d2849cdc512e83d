/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error'];

function fieldsText(fields?: Record<string, unknown>): string {
  if (!fields) return '';
  return ' ' + JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v));
}

/** A line-per-event logger to a stream, Nomad style: `2026-11-26T00:00:00.000Z [INFO]  server: message {fields}`. */
export function streamLogger(role: string, level: LogLevel = 'info', out: NodeJS.WritableStream = process.stderr): Logger {
  const min = ORDER.indexOf(level);
  const write = (l: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER.indexOf(l) < min) return;
    out.write(`${new Date().toISOString()} [${l.toUpperCase()}]${' '.repeat(6 - l.length)}${role}: ${message}${fieldsText(fields)}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
