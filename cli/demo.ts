// The demo repository `npm start` bootstraps: a few small targets so that a
// TUF client has something to verify before anything is uploaded.

const text = (s: string) => new TextEncoder().encode(s);

export const DEMO_TARGETS: ReadonlyMap<string, Uint8Array> = new Map([
  ['files/tuf-edge-demo/README.txt', text('tuf-edge demo: every byte of this file is covered by TUF metadata.\n')],
  ['files/tuf-edge-demo/hello.py', text('print("hello from a verified target")\n')],
  ['simple/tuf-edge-demo/notes.json', text('{"demo":true,"why":"a target in another directory"}\n')],
]);

/** 256 bins keep `npm start` quick; production repositories use 14 (16,384, as PEP 458). */
export const DEMO_BIT_LENGTH = 8;
