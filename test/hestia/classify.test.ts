import { describe, expect, it } from 'vitest';
import { classify } from '../../src/hestia/classify.js';

/** Exit 11 means "our access is refused" only when the panel says the API is off. */
const answer11 = (body: string) =>
  classify({ status: 400, exitCodeHeader: '11', contentType: 'text/html', body }, false);

describe('classifying exit 11', () => {
  it('the API switched off, in either mode, or an 11 without a reason: refused, stop the server', () => {
    for (const body of ['Error: API has been disabled', 'Error: API has been disabledError: API Disabled', '', '11']) {
      const result = answer11(body);
      expect(!result.ok && result.error).toMatchObject({ exitCode: 11, authFailure: true, retryable: false });
    }
  });

  it('a system the panel does not run: a permanent failure naming it, the credentials are fine', () => {
    for (const system of ['WEB_SYSTEM', 'DNS_SYSTEM', 'MAIL_SYSTEM', 'DB_SYSTEM']) {
      const result = answer11(`Error: ${system} is not enabled`);
      expect(!result.ok && result.error).toMatchObject({ authFailure: false, retryable: false, missingSystem: system });
    }
  });

  it('another feature switched off after authentication: permanent, not a refusal', () => {
    const result = answer11('Error: user backup is disabled');
    expect(!result.ok && result.error).toMatchObject({ authFailure: false, retryable: false });
    expect(!result.ok && result.error.missingSystem).toBeUndefined();
  });
});
