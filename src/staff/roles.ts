/**
 * Staff roles and what each may do in the Admin API. A route declares the permission it needs
 * (`permission` in its `defineAdminRoute`); GET routes need `read` unless they declare more, every
 * change names its own. The guard (src/admin/guard.ts `authorize`) refuses a role the permission
 * does not list with 403 `forbidden_role`, before the handler runs. The matrix is documented in
 * docs/adr/0011-staff-roles-and-two-factor.md; change both together.
 */
export const ROLES = ['owner', 'billing', 'support', 'read_only'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export const PERMISSIONS = {
  /** Your own session and two-factor enrolment: every role, and reachable before enrolment. */
  self: ['owner', 'billing', 'support', 'read_only'],
  /** Reading what the admin area shows (no secrets): every role. The default of GET routes. */
  read: ['owner', 'billing', 'support', 'read_only'],
  /** Staff accounts: list, create, change role, disable, reset two-factor, email a password reset. */
  staff: ['owner'],
  /**
   * Settings: billing automation, payments (and the Stripe keys), email (and the test message),
   * branding, email templates; the User API's settings (and the Admin API's allowlist), its route
   * table and aliases.
   */
  settings: ['owner'],
  /** Servers: add, change (their API keys), remove, resume, raw panel calls, acceptance runs. */
  servers: ['owner'],
  /** Check a server's connection (reads the panel, changes nothing). */
  'servers.check': ['owner', 'support'],
  /** The User API's request log: what clients sent and got (personal data). */
  'requestlog.read': ['owner', 'support'],
  /** Clients' details and state: edit, suspend, unsuspend, close; email them a password reset. */
  clients: ['owner', 'billing', 'support'],
  /** A client's credit balance: add or take credit. */
  credit: ['owner', 'billing'],
  /** Invoices and payments: issue, void, refund, mark paid; run billing. */
  invoices: ['owner', 'billing'],
  /** The catalog: categories, products and their prices. */
  catalog: ['owner', 'billing'],
  /** A service's billing: price, due date, upgrades, billing cycle. */
  'services.billing': ['owner', 'billing'],
  /** A service's lifecycle on its panel: suspend, unsuspend, terminate, re-provision, change package or password. */
  'services.lifecycle': ['owner', 'support'],
  /** The provisioning queue: retry or cancel a job. */
  jobs: ['owner', 'support'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function rolesFor(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

export function roleMay(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
