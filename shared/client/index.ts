// The TUF client, runtime-free: the trusted set (every trust decision), the
// updater (the workflow), and the capabilities it runs on (Fetcher,
// MetadataStore). Runs unchanged in Node, workerd and browsers.
export * from './config.ts';
export * from './errors.ts';
export * from './fetcher.ts';
export * from './metadata-store.ts';
export * from './names.ts';
export * from './trusted-set.ts';
export * from './updater.ts';
