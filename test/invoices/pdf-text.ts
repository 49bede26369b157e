import { inflateSync } from 'node:zlib';

/**
 * The text of a PDF made by pdfkit with its standard fonts: each content stream is inflated and
 * the strings of its text operators (hex, WinAnsi) are decoded; one line per text operation.
 */
const WIN_ANSI: Record<number, string> = { 150: '–', 151: '—', 146: '’', 128: '€' };

export function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  const raw = pdf.toString('latin1');
  const streams = /stream\r?\n/g;
  for (let m = streams.exec(raw); m; m = streams.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    let body: Buffer = Buffer.from(raw.slice(start, end), 'latin1');
    try {
      body = inflateSync(body);
    } catch {
      // not compressed (or not a content stream)
    }
    const text = body.toString('latin1');
    for (const op of text.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      const parts = [...(op[1] ?? '').matchAll(/<([0-9a-fA-F]*)>/g)].map((h) =>
        [...Buffer.from(h[1] ?? '', 'hex')].map((b) => WIN_ANSI[b] ?? String.fromCharCode(b)).join(''),
      );
      out.push(parts.join(''));
    }
  }
  return out.join('\n');
}
