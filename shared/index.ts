// The runtime-free TUF core: its public face. No Node or Workers APIs below
// this folder, so it runs unchanged in workerd, Node and a browser.

export * from './bytes.ts';
export * from './canonical-json.ts';
export * from './errors.ts';
export * from './crypto/hash.ts';
export * from './crypto/ed25519.ts';
export * from './metadata/fields.ts';
export * from './metadata/key.ts';
export * from './metadata/files.ts';
export * from './metadata/role.ts';
export * from './metadata/signed.ts';
export * from './metadata/root.ts';
export * from './metadata/timestamp.ts';
export * from './metadata/snapshot.ts';
export * from './metadata/delegations.ts';
export * from './metadata/targets.ts';
export * from './metadata/metadata.ts';
export * from './metadata/signed-text.ts';
export * from './signer.ts';
export * from './verify.ts';
export * from './repository/layout.ts';
export * from './repository/policy.ts';
export * from './repository/engine.ts';
export * from './repository/draft.ts';
export * from './repository/edit.ts';
export * from './repository/kept-snapshot.ts';
export * from './repository/target-table.ts';
export * from './repository/bulk-build.ts';
export * from './tokens.ts';
export * from './weighted-list.ts';
export * from './pypi/index.ts';
export * from './client/index.ts';
