/** Short plain-text answers the proxy gives on its own, each saying what is wrong. */

/** A complete response as latin1 text; `close` adds `Connection: close`. */
export function plainText(status: number, text: string, close: boolean, extraHeaders?: Record<string, string>): string {
  const body = Buffer.from(`${status} ${STATUS_TEXT[status] ?? ''}: ${text}\n`).toString('latin1');
  let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n`;
  for (const [k, v] of Object.entries(extraHeaders ?? {})) head += `${k}: ${v}\r\n`;
  if (close) head += 'Connection: close\r\n';
  return `${head}\r\n${body}`;
}

const STATUS_TEXT: Record<number, string> = {
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
