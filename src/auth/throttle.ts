import { AppError } from '../platform/http/errors.js';
import type { RateLimitStore, RateRule } from '../platform/ratelimit/store.js';

/**
 * Failed-login throttling, separate from the API rate limit: failures are counted per account
 * and per IP, and once either is exhausted further attempts are refused with 429 before the
 * password is even checked (so a throttled attacker cannot keep guessing).
 */
export const LOGIN_RULES = {
  account: { points: 10, durationS: 15 * 60 } satisfies RateRule,
  ip: { points: 50, durationS: 15 * 60 } satisfies RateRule,
};

export class LoginThrottle {
  constructor(private readonly store: RateLimitStore) {}

  private accountKey(email: string): string {
    return email.trim().toLowerCase();
  }

  async check(email: string, ip: string): Promise<void> {
    const [account, address] = await Promise.all([
      this.store.peek('login-account', this.accountKey(email), LOGIN_RULES.account),
      this.store.peek('login-ip', ip, LOGIN_RULES.ip),
    ]);
    const blocked = [account, address].filter((d) => !d.allowed);
    if (blocked.length > 0) {
      const retryS = Math.max(...blocked.map((d) => d.resetS));
      throw new AppError(
        'login_throttled',
        `Too many failed logins for this account or address. Try again in ${retryS} seconds.`,
        { headers: { 'retry-after': String(retryS) } },
      );
    }
  }

  async fail(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.store.consume('login-account', this.accountKey(email), LOGIN_RULES.account),
      this.store.consume('login-ip', ip, LOGIN_RULES.ip),
    ]);
  }

  async succeed(email: string): Promise<void> {
    await this.store.reset('login-account', this.accountKey(email), LOGIN_RULES.account);
  }
}
