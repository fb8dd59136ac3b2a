// Wiring of the key operations (docs/keys.md): `root` and `targets` (edit,
// sign, status, publish), `online rotate` and `keys public`. The work is in
// offline.ts; misuse exits 2 and failures 1, through main.ts's handler.

import { Command, InvalidArgumentError } from 'commander';
import { keyToJSON, type DraftRole } from '../shared/index.ts';
import { readKey } from './keys.ts';
import { draftStatus, editCommand, publishCommand, rotateCommand, signCommand, type EditOptions, type PublishOptions, type SignOptions, type StoreOptions } from './offline.ts';
import { DEFAULT_KEYS_DIR } from './keys.ts';
import { statusCommand } from './status.ts';

const days = (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 36_500) throw new InvalidArgumentError('expected a whole number of days from 1 to 36500');
  return n;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];
const log = (line: string) => console.log(line);
// Misuse (an unknown or missing option) exits 2, as for every tuf-edge command; a failure exits 1.
const usageExit = (c: Command) => c.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));

function storeOptions(command: Command): Command {
  return command
    .option('--local', "the local edge's R2 (what `wrangler dev` serves; the default)")
    .option('--out <dir>', 'a repository folder laid out like the R2 bucket (what `init --out` writes)');
}

/** A deployed edge instead of a local repository: its /api/admin routes, with an index-wide admin token. */
function edgeOptions(command: Command): Command {
  return command
    .option('--url <url>', 'a deployed edge: its writer publishes, signing with its own ONLINE_KEY (needs --token)')
    .option('--token <token>', 'with --url: an admin token for every project (or TUF_EDGE_TOKEN)');
}

function offlineRole(program: Command, role: DraftRole): void {
  const roles = role === 'root' ? 'root, targets, snapshot or timestamp' : 'bins (the succinct delegation)';
  const group = program.command(role).description(`the offline ${role} role: draft the next version, sign it, publish it`);
  storeOptions(
    group
      .command('edit <draft>')
      .description(`write the next ${role} version as an unsigned draft file (keys, thresholds, expiry)`)
      .option('--add-key <role=file>', `add a public key (TUF key JSON or a key file) to ${roles}`, collect)
      .option('--remove-key <role=keyid>', 'remove a key (its id, or a unique prefix of 8+ hex digits)', collect)
      .option('--threshold <role=n>', 'set a threshold', collect)
      .option('--expires-days <d>', 'lifetime from now (default 365)', days),
  );
  if (role === 'targets') group.commands.at(-1)!.option('--root-draft <file>', 'the root draft published with this one: its targets keys must sign too');
  group.commands.at(-1)!.action(async (draft: string, o: EditOptions) => {
    const d = await editCommand(role, draft, o);
    console.log(`wrote ${draft}: ${role} version ${d.metadata.signed.version}, expires ${d.metadata.signed.expires}, unsigned`);
  });
  group
    .command('sign <draft>')
    .description('add your signature to the draft (in place); prints who has signed and who is missing')
    .option('--key <file>', 'your key file')
    .option('--sign-command <cmd>', 'a command that reads the bytes to sign on stdin and prints the signature (hex or base64)')
    .action(async (draft: string, o: SignOptions) => (await signCommand(role, draft, o)).forEach(log));
  group
    .command('status <draft>')
    .description('who has signed the draft and who is missing, for every threshold that applies')
    .action(async (draft: string) => (await draftStatus(draft)).forEach(log));
  const publish = edgeOptions(storeOptions(
    group
      .command('publish <draft>')
      .description('install a fully signed draft and re-sign what depends on it (refuses a draft that is not fully signed)')
      .option('--online-key <file>', 'an online key file, for re-signing bins, snapshot and timestamp (repeatable; default: the keys folder)', collect)
      .option('--keys-dir <dir>', 'where key files live', DEFAULT_KEYS_DIR),
  ));
  if (role === 'root') publish.option('--targets <draft>', 'a fully signed targets draft to publish with the root (after a targets-key change)');
  publish.action((draft: string, o: PublishOptions) => publishCommand(role, draft, o, log));
}

export function registerKeyCommands(program: Command): void {
  offlineRole(program, 'root');
  offlineRole(program, 'targets');
  const online = program.command('online').description('the online key (bins, snapshot, timestamp)');
  edgeOptions(storeOptions(
    online
      .command('rotate')
      .description('re-sign every bin, the snapshot and the timestamp with the new online key (root and targets must list it already)')
      .option('--new-key <file>', 'the new online key file (locally; with --url the edge signs with its ONLINE_KEY secret)'),
  )).action((o: StoreOptions & { newKey?: string; url?: string; token?: string }) => rotateCommand(o, log));
  const status = program
    .command('status')
    .description("every role's version, expiry, keys and threshold, verified from the edge, and what needs offline signatures soon")
    .option('--config <file>', 'the client bootstrap file (metadataUrl, rootFile)')
    .option('--warn-days <d>', 'flag offline roles expiring within this many days', days, 60)
    .option('--json', 'print JSON')
    .action(async (o: { config?: string; json?: boolean; warnDays: number }) => console.log(await statusCommand(o)));
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of [program.commands.find((c) => c.name() === 'root')!, program.commands.find((c) => c.name() === 'targets')!, online, status].flatMap(all)) usageExit(c);
  program.commands
    .find((c) => c.name() === 'keys')!
    .command('public <keyfile>')
    .description('print the public half of a key file as TUF key JSON (what `--add-key` takes)')
    .action(async (file: string) => console.log(JSON.stringify(keyToJSON((await readKey(file, 'key')).publicKey))));
}
