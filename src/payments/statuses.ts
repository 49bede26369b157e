/** What became of a card payment attempt (in a file of its own: the CLI declares it without loading TypeBox). */
export const ATTEMPT_STATUSES = ['pending', 'succeeded', 'failed', 'mismatch'] as const;
