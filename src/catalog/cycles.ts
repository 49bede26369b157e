/**
 * The billing cycles a price can have, shortest first.
 * Apart from the schemas, so the CLI can name them without loading TypeBox.
 */
export const BILLING_CYCLES = ['monthly', 'quarterly', 'semiannually', 'annually', 'biennially'] as const;
