import { AppError } from '../platform/http/errors.js';
import type { RateLimitStore, RateRule } from '../platform/ratelimit/store.js';

/**
 * Failed-login throttling, separate from the API rate limit. Failures are counted per account
 * *from one address* and per address; once either is exhausted, further attempts from that
 * address are refused with 429 before the password is even checked (so a throttled attacker
 * cannot keep guessing). There is deliberately no count per account alone: it would let anyone
 * who knows an email lock its owner out, from anywhere, with ten wrong passwords.
 */
export const LOGIN_RULES = {
  accountAddress: { points: 10, durationS: 15 * 60 } satisfies RateRule,
  ip: { points: 50, durationS: 15 * 60 } satisfies RateRule,
};

export class LoginThrottle {
  constructor(private readonly store: RateLimitStore) {}

  private accountAddressKey(email: string, ip: string): string {
    return `${email.trim().toLowerCase()}\0${ip}`;
  }

  async check(email: string, ip: string): Promise<void> {
    const [accountAddress, address] = await Promise.all([
      this.store.peek('login-account-ip', this.accountAddressKey(email, ip), LOGIN_RULES.accountAddress),
      this.store.peek('login-ip', ip, LOGIN_RULES.ip),
    ]);
    const blocked = [accountAddress, address].filter((d) => !d.allowed);
    if (blocked.length > 0) {
      const retryS = Math.max(...blocked.map((d) => d.resetS));
      throw new AppError(
        'login_throttled',
        `Too many failed logins from this address. Try again in ${retryS} seconds.`,
        { headers: { 'retry-after': String(retryS) } },
      );
    }
  }

  async fail(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.store.consume('login-account-ip', this.accountAddressKey(email, ip), LOGIN_RULES.accountAddress),
      this.store.consume('login-ip', ip, LOGIN_RULES.ip),
    ]);
  }

  /** A correct password from an address forgets that account's failures from it. */
  async succeed(email: string, ip: string): Promise<void> {
    await this.store.reset('login-account-ip', this.accountAddressKey(email, ip), LOGIN_RULES.accountAddress);
  }
}
