// A tiny static server for the client benchmarks: serves a folder laid out
// like the R2 bucket on 127.0.0.1 and counts the requests and the body bytes
// it sends (headers not counted).

import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Static {
  readonly server: Server;
  readonly url: string;
  requests: number;
  bytes: number;
}

export async function serve(dir: string): Promise<Static> {
  const s = { requests: 0, bytes: 0 } as Static;
  const server = createServer(async (req, res) => {
    s.requests++;
    const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    let body: Uint8Array | null = null;
    try {
      if (!key.includes('..')) body = new Uint8Array(await readFile(join(dir, key)));
    } catch {
      body = null;
    }
    if (!body) {
      res.writeHead(404, { 'Content-Length': 0 }).end();
      return;
    }
    s.bytes += body.length;
    res.writeHead(200, { 'Content-Length': body.length, 'Content-Type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return Object.assign(s, { server, url: `http://127.0.0.1:${address.port}` });
}
