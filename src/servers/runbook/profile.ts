/**
 * Every panel command Portico runs. An access key whose API profile lists exactly these (and
 * nothing else) is all Portico needs; `portico server profile` prints the file to install.
 */
export const PORTICO_COMMANDS = [
  'v-add-user',
  'v-delete-user',
  'v-suspend-user',
  'v-unsuspend-user',
  'v-change-user-package',
  'v-change-user-password',
  'v-list-user',
  'v-list-user-packages',
  'v-add-web-domain',
  'v-delete-web-domain',
  'v-list-web-domains',
  'v-add-dns-domain',
  'v-delete-dns-domain',
  'v-list-dns-domains',
  'v-add-mail-domain',
  'v-delete-mail-domain',
  'v-list-mail-domains',
  'v-add-database',
  'v-delete-database',
  'v-list-databases',
  'v-list-sys-info',
] as const;

/** The API profile file for /usr/local/hestia/data/api/portico (HestiaCP's format). */
export function apiProfileFile(): string {
  return ["ROLE='admin'", `COMMANDS='${PORTICO_COMMANDS.join(',')}'`, ''].join('\n');
}
