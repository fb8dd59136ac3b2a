// The floor for bench/request-cost.ts: a worker that answers from memory the
// very bytes and headers the real worker gave for a path, and does nothing
// else (no routing, no storage, no checks). What a request costs beyond this
// in the same workerd is what tuf-edge adds. `PUT /__bench/load?path=P`
// stores the body for path P, with the headers given as JSON in
// `X-Bench-Headers`.

interface Held {
  readonly body: Uint8Array;
  readonly headers: [string, string][];
}

const held = new Map<string, Held>();

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'PUT' && url.pathname === '/__bench/load') {
      const headers = JSON.parse(request.headers.get('X-Bench-Headers') ?? '[]') as [string, string][];
      const path = url.searchParams.get('path') ?? '';
      const body = new Uint8Array(await request.arrayBuffer());
      held.set(path, { body, headers });
      return new Response(null, { status: 204 });
    }
    const entry = held.get(url.pathname);
    if (!entry) return new Response('Not Found\n', { status: 404 });
    return new Response(request.method === 'HEAD' ? null : entry.body, { headers: entry.headers });
  },
} satisfies ExportedHandler;
