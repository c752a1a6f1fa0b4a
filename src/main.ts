// The commander program behind bin/duplistatus.
import { Command } from 'commander';
import { ConfigError } from './config.ts';
import { registerConfig } from './cli/config.ts';
import { registerServe } from './cli/serve.ts';
import { registerUser } from './cli/user.ts';
import { registerNotify } from './cli/notify.ts';

declare const __VERSION__: string | undefined;

export function buildProgram() {
  const program = new Command('duplistatus')
    .description('Monitor for Duplicati backups')
    .version(typeof __VERSION__ === 'string' ? __VERSION__ : 'dev');
  registerServe(program);
  registerUser(program);
  registerNotify(program);
  registerConfig(program);
  return program;
}

buildProgram()
  .parseAsync()
  .catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
