// Two root key holders sign one draft, each in their own folder with only
// their own key (the second through --sign-command, as with a hardware token
// or a KMS), the file mailed between them; publish refuses the draft until
// both have signed. Runs the CLI's own functions over a repository folder.

import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex, UnsignedMetadataError, UsageError } from '../../shared/index.ts';
import { draftStatus, editCommand, publishCommand, signCommand } from '../../cli/offline.ts';
import { folderStore } from '../../cli/folder-store.ts';
import { initTestRepository, seedFor } from '../harness/repository.ts';

// What a holder's signing tool does: the bytes on stdin, the signature out (node:crypto, PKCS#8 around the seed).
const SIGN_SCRIPT = `
import { createPrivateKey, sign } from 'node:crypto';
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const key = createPrivateKey({ key: Buffer.from('302e020100300506032b657004220420' + process.env.SEED, 'hex'), format: 'der', type: 'pkcs8' });
process.stdout.write(sign(null, Buffer.concat(chunks), key).toString('hex') + '\\n');
`;

describe('root holders on separate machines', () => {
  it('each signs the mailed draft; publish refuses it until both have', async () => {
    const base = await mkdtemp(join(tmpdir(), 'tuf-edge-holders-'));
    const repoDir = join(base, 'repo');
    const store = folderStore(repoDir);
    const repo = await initTestRepository(store, new Map(), { bitLength: 2 });
    await store.close();
    const [alice, bob] = [join(base, 'alice'), join(base, 'bob')];
    await mkdir(alice);
    await mkdir(bob);
    const script = join(bob, 'sign.mjs');
    await writeFile(script, SIGN_SCRIPT);
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);

    const draft = join(base, 'root-2.draft.json');
    await editCommand('root', draft, { out: repoDir, expiresDays: 400 });
    await copyFile(draft, join(alice, 'draft.json'));
    await copyFile(join(repo.dir, 'keys', 'root-1.json'), join(alice, 'root-1.json'));
    const aliceSays = await signCommand('root', join(alice, 'draft.json'), { key: join(alice, 'root-1.json') });
    expect(aliceSays.join('\n')).toMatch(/root version 1 \(the current root\): needs 1 more/);
    await expect(publishCommand('root', join(alice, 'draft.json'), { out: repoDir, keysDir: join(repo.dir, 'keys') }, log)).rejects.toThrow(UnsignedMetadataError);

    // Mailed to Bob, who signs through his own command.
    await copyFile(join(alice, 'draft.json'), join(bob, 'draft.json'));
    await expect(signCommand('root', join(bob, 'draft.json'), { signCommand: 'exit 3' })).rejects.toThrow(/exited with 3/);
    await expect(signCommand('root', join(bob, 'draft.json'), {}), 'misuse').rejects.toThrow(UsageError);
    await expect(signCommand('targets', join(bob, 'draft.json'), { key: join(alice, 'root-1.json') })).rejects.toThrow(/is a root draft/);
    // A key no threshold lists: its signature is refused, the draft unchanged.
    await expect(signCommand('root', join(bob, 'draft.json'), { key: join(repo.dir, 'keys', 'online.json') })).rejects.toThrow(/verifies under none/);
    const bobSays = await signCommand('root', join(bob, 'draft.json'), { signCommand: `SEED=${toHex(seedFor('root-2'))} node ${script}` });
    expect(bobSays.at(-1)).toMatch(/^complete/);
    expect((await draftStatus(join(bob, 'draft.json'))).join('\n')).not.toMatch(/needs/);
    await publishCommand('root', join(bob, 'draft.json'), { out: repoDir, keysDir: join(repo.dir, 'keys') }, log);
    expect(lines).toContain('published root version 2');
    const published = JSON.parse(await readFile(join(repoDir, 'metadata', '2.root.json'), 'utf8'));
    expect(published.signatures).toHaveLength(2);
  });
});
