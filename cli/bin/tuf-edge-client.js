#!/usr/bin/env node
// Entry point of the `tuf-edge-client` command (a TUF client; see
// cli/client/main.ts): runs the TypeScript through tsx, exits 0 or 1.
import { register } from 'tsx/esm/api';

let code = 1;
try {
  register();
  const { main } = await import('../client/main.ts');
  code = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`tuf-edge-client: ${String(error?.message ?? error).split('\n')[0]}\n`);
}
process.exit(code);
