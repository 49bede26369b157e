#!/usr/bin/env node
// The `portico` command. Loads the TypeScript sources through tsx, so an install needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
await main(process.argv);
