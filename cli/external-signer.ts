// An external signer: a holder's own command (a hardware token's tool, a
// cloud KMS CLI) that gets the canonical bytes to sign on stdin and prints
// the signature on stdout, as hex (or base64). The key never touches this
// program; the signature is attributed to whichever listed key it verifies
// under (shared/repository/draft.ts).

import { spawn } from 'node:child_process';
import { fromHex, UsageError } from '../shared/index.ts';

/** @throws {UsageError} when the command fails or prints no signature. */
export function runSignCommand(command: string, bytes: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', (e) => reject(new UsageError(`--sign-command: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new UsageError(`--sign-command exited with ${code}`));
      const text = Buffer.concat(out).toString('utf8').trim();
      if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) return resolve(fromHex(text.toLowerCase()));
      if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return resolve(new Uint8Array(Buffer.from(text, 'base64')));
      reject(new UsageError('--sign-command printed no signature (hex or base64 expected)'));
    });
    // A command that ignores its stdin closes it early: that is not a failure.
    child.stdin.on('error', () => {});
    child.stdin.end(bytes);
  });
}
