#!/usr/bin/env node
// Entry point of the `tuf-edge` command: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');
