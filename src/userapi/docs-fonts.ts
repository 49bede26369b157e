import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The docs page's typefaces, served by Portico. The renderer asks for Inter and JetBrains Mono
 * and by default loads them from its vendor's font host, which would tell that host about every
 * visit to a provider's docs; these are the same typefaces from the @fontsource-variable packages
 * (SIL Open Font License), declared under the names the renderer's stylesheet uses.
 */
const FAMILIES = [
  { family: 'Inter', declaredAs: 'Inter Variable', stylesheet: '@fontsource-variable/inter/wght.css' },
  {
    family: 'JetBrains Mono',
    declaredAs: 'JetBrains Mono Variable',
    stylesheet: '@fontsource-variable/jetbrains-mono/wght.css',
  },
];

export interface DocsFonts {
  /** @font-face rules pointing at `${prefix}/<file>`. */
  css: string;
  /** A font by its file name, or undefined for any other name. */
  file(name: string): Buffer | undefined;
}

export function loadDocsFonts(prefix: string): DocsFonts {
  const require = createRequire(import.meta.url);
  const paths = new Map<string, string>();
  const rules: string[] = [];
  for (const { family, declaredAs, stylesheet } of FAMILIES) {
    const cssPath = require.resolve(stylesheet);
    const css = readFileSync(cssPath, 'utf8')
      .replaceAll(`'${declaredAs}'`, `'${family}'`)
      .replace(/url\(\.\/files\/([\w.-]+\.woff2)\)/g, (_match, name: string) => {
        paths.set(name, join(dirname(cssPath), 'files', name));
        return `url(${prefix}/${name})`;
      });
    rules.push(css);
  }
  const cache = new Map<string, Buffer>();
  return {
    css: rules.join('\n'),
    file(name) {
      const path = paths.get(name);
      if (!path) return undefined;
      let data = cache.get(name);
      if (!data) {
        data = readFileSync(path);
        cache.set(name, data);
      }
      return data;
    },
  };
}
