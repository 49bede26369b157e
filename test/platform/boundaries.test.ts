import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The house rules that keep modules apart, checked on the source itself: billing code reaches a
 * panel only through src/panel, and the queue's and provisioning's SQL lives in store files.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const rel = (path: string) => relative(ROOT, path).split('\\').join('/');

function importedPaths(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => rel(resolve(dirname(file), s)));
}

describe('module boundaries', () => {
  it('only src/hestia, src/servers and src/sandbox import the HestiaCP client', () => {
    const allowed = ['src/hestia/', 'src/servers/', 'src/sandbox/'];
    const offenders = sourceFiles(SRC)
      .filter((file) => !allowed.some((prefix) => rel(file).startsWith(prefix)))
      .flatMap((file) =>
        importedPaths(file)
          .filter((target) => target.startsWith('src/hestia/'))
          .map((target) => `${rel(file)} imports ${target}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the job queue, provisioning and servers write SQL only in their store files', () => {
    const modules = ['provisioning', 'jobs', 'servers'].map((m) => join(SRC, m));
    const offenders = modules
      .flatMap(sourceFiles)
      .filter((file) => !/(^|[/-])store\.ts$/.test(rel(file)))
      .filter((file) =>
        /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto)\(/.test(readFileSync(file, 'utf8')),
      )
      .map(rel);
    expect(offenders).toEqual([]);
  });
});
