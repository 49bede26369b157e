import selfsigned from 'selfsigned';

/** A self-signed certificate for the sandbox panel, valid a year, for localhost and 127.0.0.1. */
export async function newCertificate(): Promise<{ keyPem: string; certPem: string }> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'sandbox.portico.local' }], {
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { keyPem: pems.private, certPem: pems.cert };
}
