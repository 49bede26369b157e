import type { Role } from '../staff/roles.js';

/** Who is calling the Admin API: a staff member, by HTTP Basic or the admin area's session. */
export interface AdminPrincipal {
  adminId: string;
  email: string;
  role: Role;
  /** Two-factor login is set up for this staff member. */
  totpEnrolled: boolean;
  /**
   * Their role must use two-factor login (`admin.require_totp_for`) and they have not enrolled:
   * only their session and the enrolment routes are open until they do.
   */
  totpEnrolmentRequired: boolean;
}
