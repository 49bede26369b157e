/** Who is calling the Admin API: an admin, by HTTP Basic or the admin area's session. */
export interface AdminPrincipal {
  adminId: string;
  email: string;
}
