/**
 * Processes the ingress benchmark measures against: nginx as the backend and
 * as a reverse proxy, HAProxy hand-configured, and wrk as the load generator.
 * Each one runs from a temp dir and is killed by its own pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export function have(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Proc {
  port: number;
  /** The process doing the work (its children count too); undefined for in-process targets. */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * CPU seconds used so far by a process and its direct children (nginx's worker), from /proc.
 * On a shared, noisy machine CPU per request is a steadier comparison than requests per second.
 */
export function cpuSeconds(pid: number): number {
  const ticks = (p: number) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return Number(f[11]) + Number(f[12]);
    } catch {
      return 0;
    }
  };
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone
  }
  return [pid, ...children].reduce((a, p) => a + ticks(p), 0) / CLOCK_TICKS;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** The pid of a child of this process whose command line contains `needle` (the HAProxy engine's haproxy). */
export function childPid(needle: string): number | undefined {
  const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.find((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle);
    } catch {
      return false;
    }
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${port}`);
}

function run(cmd: string, args: string[], port: number, what: string): Promise<Proc> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return waitForPort(port, child, what).then(() => ({
    port,
    pid: child.pid,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  }));
}

const NGINX_HEAD = (dir: string) => `worker_processes 1;
daemon off;
error_log ${dir}/error.log;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
`;

/** nginx answering a short static body: the backend for every target. */
export async function nginxBackend(dir: string): Promise<Proc> {
  const port = await freePort();
  const conf = join(dir, 'backend.conf');
  writeFileSync(conf, `${NGINX_HEAD(dir)}  server { listen 127.0.0.1:${port}; location / { return 200 "hello from nginx\\n"; } }\n}\n`);
  return run('nginx', ['-c', conf, '-p', dir], port, 'nginx backend');
}

/** nginx as a reverse proxy with upstream keep-alive (a fair configuration). */
export async function nginxProxy(dir: string, backendPort: number): Promise<Proc> {
  const port = await freePort();
  const conf = join(dir, 'proxy.conf');
  writeFileSync(
    conf,
    `${NGINX_HEAD(dir)}  upstream be { server 127.0.0.1:${backendPort}; keepalive 64; }
  server { listen 127.0.0.1:${port}; server_name hello-web.minipot;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $remote_addr; } }
}\n`,
  );
  return run('nginx', ['-c', conf, '-p', dir], port, 'nginx proxy');
}

/**
 * HAProxy by hand: host ACL, one server, keep-alive and connection reuse; one thread like Node.
 * `frontendRules` go into the frontend (the HAProxy engine's forwarded-header rules, for a
 * baseline doing the same work per request).
 */
export async function haproxyHand(dir: string, backendPort: number, frontendRules: string[] = []): Promise<Proc> {
  const port = await freePort();
  const conf = join(dir, frontendRules.length ? 'haproxy-rules.cfg' : 'haproxy.cfg');
  writeFileSync(
    conf,
    `global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:${port}
${frontendRules.join('\n')}
  acl host_hw hdr(host) -i hello-web.minipot
  use_backend be_hw if host_hw
backend be_hw
  balance roundrobin
  server s1 127.0.0.1:${backendPort}
`,
  );
  return run('haproxy', ['-f', conf], port, 'haproxy');
}

export interface WrkResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
}

/** wrk with one thread and 32 connections, as in the design's reference figures; `headers` are added ("Name: value"). */
export function wrk(url: string, seconds: number, host: string, headers: string[] = []): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', '-c32', `-d${seconds}s`, '--latency', '-H', `Host: ${host}`, ...headers.flatMap((h) => ['-H', h]), url]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
      const ms = (label: string) => {
        const m = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
        if (!m) return NaN;
        return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
      };
      const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        requests: num(/(\d+) requests in/),
        rps: num(/Requests\/sec:\s+([\d.]+)/),
        p50Ms: ms('50%'),
        p99Ms: ms('99%'),
        non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
        socketErrors: errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      });
    });
  });
}

/** The reference point from the design: the plainest Node proxy (keep-alive agent, pipe both ways, no routing). */
export async function plainNodeProxy(backendPort: number): Promise<Proc> {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const p = http.request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers, agent }, (pres) => {
      res.writeHead(pres.statusCode ?? 502, pres.headers);
      pres.pipe(res);
    });
    p.on('error', () => res.destroy());
    req.pipe(p);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
