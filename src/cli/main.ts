#!/usr/bin/env node
import './thread-pool';
import 'reflect-metadata';
import { processIo } from './cli-context';
import { runCli } from './run';

/**
 * `npm run cli -- <command>`, or `npx pxauth <command>` (package.json's bin): the admin API's operations
 * for an operator at the host, through the same services, on the database DATABASE_URL names
 * (docs/cli.md). The command line runs on this process's environment and streams (cli/run.ts says
 * the exit codes).
 */
void runCli(process.argv.slice(2), processIo())
  // Exit once the output is flushed: a pool or timer left open must not keep an operator waiting.
  .then((code) => process.exit(code));
