/**
 * Interactive terminal over the exec websocket (Nomad's frames):
 * → {"stdin":{"data":b64}}, {"tty_size":{"height","width"}}
 * ← {"stdout":{"data":b64}}, {"stderr":…}, {"exited":true,"result":{"exit_code":N}}
 */
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { token } from '../shared/api.js';
import { fill, h } from '../shared/dom.js';

const enc = new TextEncoder();
const toB64 = (s: string) => btoa(String.fromCharCode(...enc.encode(s)));
const fromB64 = (b: string) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0));

export function execUrl(allocId: string, task: string, command: string[]): string {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const t = token.get();
  return `${proto}://${location.host}/v1/client/allocation/${encodeURIComponent(allocId)}/exec?task=${encodeURIComponent(task)}&command=${encodeURIComponent(JSON.stringify(command))}&tty=true${t ? `&token=${encodeURIComponent(t)}` : ''}`;
}

export function openTerminal(el: HTMLElement, allocId: string, task: string, command: string[]): () => void {
  const box = h('div', { class: 'terminal', role: 'region', 'aria-label': `Terminal in ${task}` });
  const status = h('p', { role: 'status', class: 'muted' }, `Connecting to ${task}…`);
  fill(el, status, box);
  const term = new Terminal({ cursorBlink: true, convertEol: false, fontSize: 14 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(box);
  fit.fit();
  const ws = new WebSocket(execUrl(allocId, task, command));
  const sendSize = () => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ tty_size: { height: term.rows, width: term.cols } }));
  ws.onopen = () => {
    status.textContent = `Connected: ${command.join(' ')} in ${task}`;
    sendSize();
    term.focus();
  };
  ws.onmessage = (ev: MessageEvent<string>) => {
    const f = JSON.parse(ev.data) as { stdout?: { data?: string }; stderr?: { data?: string }; exited?: boolean; result?: { exit_code?: number }; error?: { message?: string } };
    const out = f.stdout?.data ?? f.stderr?.data;
    if (out) term.write(fromB64(out));
    if (f.error) status.textContent = `Exec failed: ${f.error.message ?? 'unknown error'}`;
    if (f.exited) status.textContent = `Exited with code ${f.result?.exit_code ?? 0}`;
  };
  ws.onclose = () => {
    if (!/^(Exited|Exec)/.test(status.textContent ?? '')) status.textContent = 'Connection closed';
  };
  ws.onerror = () => (status.textContent = 'Exec connection failed (is the task running?)');
  const input = term.onData((d) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ stdin: { data: toB64(d) } })));
  const resized = term.onResize(sendSize);
  const observer = new ResizeObserver(() => fit.fit());
  observer.observe(box);
  return () => {
    observer.disconnect();
    input.dispose();
    resized.dispose();
    ws.close();
    term.dispose();
  };
}
