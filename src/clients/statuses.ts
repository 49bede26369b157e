/**
 * The states of a client account.
 * Apart from the schemas, so the CLI can name them without loading TypeBox.
 */
export const CLIENT_STATUSES = ['active', 'suspended', 'closed'] as const;
