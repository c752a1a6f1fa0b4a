// `duplistatus user …`: account administration on the host, e.g. when nobody can sign in.
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { SYSTEM } from '../audit/audit.ts';
import { createUser, listUsers, resetPassword, unlockUser } from '../auth/users.ts';
import { databaseOptions, reportFailure, withDatabase } from './database.ts';

async function readStdin(): Promise<string> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) return line;
  return '';
}

export function registerUser(program: Command) {
  const user = program.command('user').description('manage user accounts directly on the database');
  // Host-side changes are the system's (spec 04 §15); the audit details say method 'cli'.
  const cli = SYSTEM;

  databaseOptions(user.command('list').description('list accounts')).action((flags) =>
    withDatabase(flags, async (db) => {
      const { users } = await listUsers(db, { limit: 1000 }, new Date());
      for (const u of users) {
        const flagsText = [u.isAdmin && 'admin', u.mustChangePassword && 'must-change-password', u.isLocked && `locked until ${u.lockedUntil}`].filter(Boolean).join(', ');
        console.log(`${u.username}${flagsText ? ` (${flagsText})` : ''}  last sign-in: ${u.lastLoginAt ?? 'never'}`);
      }
    }),
  );

  databaseOptions(user.command('add <name>').description('create an account with a temporary password').option('--admin', 'make it an administrator'))
    .action((name: string, flags) =>
      withDatabase(flags, async (db, config) => {
        const result = await createUser(db, { username: name, isAdmin: !!flags.admin }, config.passwordPolicy, cli);
        if (!result.ok) return reportFailure(result.message);
        console.log(`Created ${result.value.user.username}${result.value.user.isAdmin ? ' (admin)' : ''}. Temporary password: ${result.value.temporaryPassword}`);
        console.log('The password must be changed at first sign-in.');
      }),
    );

  databaseOptions(
    user
      .command('reset-password <name>')
      .description('set a new password that must be changed at next sign-in; clears a lockout')
      .option('--stdin', 'read the new password from standard input instead of generating one'),
  ).action((name: string, flags) =>
    withDatabase(flags, async (db, config) => {
      const given = flags.stdin ? await readStdin() : undefined;
      const result = await resetPassword(db, name, config.passwordPolicy, cli, given);
      if (!result.ok) return reportFailure(result.message);
      console.log(result.value.temporaryPassword ? `Temporary password for ${name.trim().toLowerCase()}: ${result.value.temporaryPassword}` : `Password reset for ${name.trim().toLowerCase()}.`);
      console.log('The password must be changed at next sign-in.');
    }),
  );

  databaseOptions(user.command('unlock <name>').description('clear a sign-in lockout')).action((name: string, flags) =>
    withDatabase(flags, async (db) => {
      const result = await unlockUser(db, name, cli);
      if (!result.ok) return reportFailure(result.message);
      console.log(`Unlocked ${result.value.username}.`);
    }),
  );
}
