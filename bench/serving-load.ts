// The serving benchmark's (bench/serving.ts) load generators and its nginx
// baseline: wrk when installed, else a Node fetch loop (bounded time and
// concurrency), and an nginx serving a directory on 127.0.0.1 with a
// throwaway config. nginx and wrk are optional: `which` says whether they are
// installed (SERVING_BENCH_WITHOUT=nginx,wrk pretends they are not).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const SECONDS = Number(process.env.SERVING_BENCH_SECONDS ?? 5);
export const THREADS = 2;
export const CONNECTIONS = 16;

// --- tools -------------------------------------------------------------------

/** An installed tool's path, or null. SERVING_BENCH_WITHOUT=nginx,wrk pretends they are missing. */
export function which(name: string): string | null {
  if ((process.env.SERVING_BENCH_WITHOUT ?? '').split(',').includes(name)) return null;
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    const path = join(dir, name);
    if (dir && spawnSync('test', ['-x', path]).status === 0) return path;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Load {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly errors: number;
}

/** wrk's duration like `215.00us`, `1.2ms`, `3s` in ms. */
function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`unreadable wrk duration: ${text}`);
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

export async function wrkLoad(wrk: string, url: string, accept: string | undefined): Promise<Load> {
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', ...(accept ? ['-H', `Accept: ${accept}`] : []), url];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}:\n${text}`))));
  });
  const percentile = (p: string) => wrkMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? 'NaNms');
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN), p50: percentile('50'), p99: percentile('99'), requests, errors };
}

/** Requests `paths` from `lanes` concurrent loops: for `ms`, or each path exactly once. */
export async function nodeLoad(base: string, paths: readonly string[], accept: string | undefined, mode: { once: true } | { ms: number }): Promise<Load> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = 'ms' in mode ? started + mode.ms : Infinity;
  const headers = accept ? { Accept: accept } : undefined;
  const lane = async () => {
    for (;;) {
      if ('once' in mode ? next >= paths.length : performance.now() >= deadline) return;
      const path = paths[next++ % paths.length]!;
      const t0 = performance.now();
      try {
        const response = await fetch(base + path, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { rps: (latencies.length / elapsed) * 1000, p50: at(0.5), p99: at(0.99), requests: latencies.length, errors };
}

// --- nginx -------------------------------------------------------------------

export interface Nginx {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startNginx(nginx: string, dir: string): Promise<Nginx> {
  const port = await freePort();
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  types { application/json json; application/octet-stream gz; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    index index.json;
  }
}
`);
  const child: ChildProcess = spawn(nginx, ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      await fetch(`${url}/`);
      break;
    } catch {
      if (i > 100) throw new Error(`nginx did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  return { url, stop };
}
