import type { Command } from 'commander';
import { withApp } from '../cli/with-app.js';

/** `portico settings get|set`: run-time settings from the shell; running instances follow. */
export function registerSettingsCommands(program: Command): void {
  const settings = program.command('settings').description('Read and change run-time settings (no restart needed)');
  settings
    .command('get [key]')
    .description('Show all settings, or one')
    .action(async (key: string | undefined) => {
      await withApp(async (app) => {
        const rows = app.settings.list().filter((r) => key === undefined || r.key === key);
        if (key !== undefined && rows.length === 0) {
          throw new Error(`Unknown setting "${key}". Run \`portico settings get\` to list them.`);
        }
        for (const r of rows) {
          console.log(
            key
              ? r.value
              : `${r.key} = ${JSON.stringify(r.value)}${r.isDefault ? '  (default)' : ''}\n    ${r.description}`,
          );
        }
      });
    });
  settings
    .command('set <key> <value>')
    .description('Change a setting; running instances pick it up within a second')
    .action(async (key: string, value: string) => {
      await withApp(async (app) => {
        await app.settings.set(key, value, app.clock.nowMs());
        console.log(`${key} = ${JSON.stringify(value)}`);
      });
    });
}
