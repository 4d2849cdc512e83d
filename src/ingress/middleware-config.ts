/** Middleware labels → a typed middleware spec, with every problem as a message. */
import { parseBool, type MiddlewareLabels } from './labels.js';
import type { MiddlewareSpec } from './types.js';

export const SUPPORTED_MIDDLEWARES = ['stripprefix', 'addprefix', 'headers', 'redirectscheme'];

export interface DecodedMiddleware {
  spec: MiddlewareSpec | null;
  /** fatal: the middleware cannot be used */
  errors: string[];
  /** the middleware works, but some tags were ignored */
  warnings: string[];
}

export function decodeMiddleware(name: string, m: MiddlewareLabels): DecodedMiddleware {
  const errors = [...m.problems];
  const warnings: string[] = [];
  const unknown = (opt: string) => warnings.push(`middleware ${name}: option ${m.type}.${opt} is not supported; ignored`);
  let spec: MiddlewareSpec | null = null;
  switch (m.type) {
    case 'stripprefix': {
      const prefixes = splitList(m.options.get('prefixes'));
      if (prefixes.length === 0) errors.push(`middleware ${name}: stripprefix needs prefixes, e.g. stripprefix.prefixes=/api`);
      for (const p of prefixes) if (!p.startsWith('/')) errors.push(`middleware ${name}: prefix ${JSON.stringify(p)} must start with /`);
      for (const opt of m.options.keys()) if (opt !== 'prefixes' && opt !== 'forceslash') unknown(opt);
      spec = { type: 'stripPrefix', prefixes };
      break;
    }
    case 'addprefix': {
      const prefix = m.options.get('prefix') ?? '';
      if (!prefix.startsWith('/')) errors.push(`middleware ${name}: addprefix.prefix must start with /, e.g. addprefix.prefix=/v1`);
      for (const opt of m.options.keys()) if (opt !== 'prefix') unknown(opt);
      spec = { type: 'addPrefix', prefix };
      break;
    }
    case 'headers': {
      const customRequestHeaders: Record<string, string> = {};
      const customResponseHeaders: Record<string, string> = {};
      for (const [opt, value] of m.rawOptions) {
        const dot = opt.indexOf('.');
        const group = (dot < 0 ? opt : opt.slice(0, dot)).toLowerCase();
        const header = dot < 0 ? '' : opt.slice(dot + 1);
        const target = group === 'customrequestheaders' ? customRequestHeaders : group === 'customresponseheaders' ? customResponseHeaders : undefined;
        if (!target) unknown(opt);
        else if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) errors.push(`middleware ${name}: ${JSON.stringify(header)} is not a valid header name`);
        else if (/[\r\n]/.test(value)) errors.push(`middleware ${name}: header ${header} value contains a line break`);
        else target[header] = value;
      }
      spec = { type: 'headers', customRequestHeaders, customResponseHeaders };
      break;
    }
    case 'redirectscheme': {
      const scheme = (m.options.get('scheme') ?? '').toLowerCase();
      if (scheme !== 'http' && scheme !== 'https') errors.push(`middleware ${name}: redirectscheme.scheme must be http or https, got ${JSON.stringify(scheme)}`);
      const rawPermanent = m.options.get('permanent');
      const permanent = rawPermanent === undefined ? false : parseBool(rawPermanent);
      if (permanent === undefined) errors.push(`middleware ${name}: redirectscheme.permanent must be true or false`);
      const port = m.options.get('port');
      if (port !== undefined && !/^\d{1,5}$/.test(port)) errors.push(`middleware ${name}: redirectscheme.port must be a port number`);
      for (const opt of m.options.keys()) if (!['scheme', 'permanent', 'port'].includes(opt)) unknown(opt);
      spec = { type: 'redirectScheme', scheme, permanent: permanent ?? false, ...(port !== undefined ? { port } : {}) };
      break;
    }
    default:
      errors.push(`middleware ${name}: type ${JSON.stringify(m.type)} is not supported; kiln supports ${SUPPORTED_MIDDLEWARES.join(', ')}`);
  }
  return { spec: errors.length ? null : spec, errors, warnings };
}

function splitList(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
