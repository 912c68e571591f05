#!/usr/bin/env node
// Entry point for `npx openwx`: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/app/main.ts');
