import fs from 'node:fs';
import path from 'node:path';

/**
 * Reads a webmail fixture page (test/fixtures/<webmail>/<name>.html) and
 * inlines the `<script src="x.js">` files it names from the same folder, so
 * jsdom tests, the browser tests and the benchmark all run the same page.
 */
export function readFixture(relative: string): string {
  const file = path.resolve('test/fixtures', relative);
  const dir = path.dirname(file);
  return fs
    .readFileSync(file, 'utf8')
    .replace(/<script src="([\w.-]+\.js)"><\/script>/g, (_m, name: string) => `<script>\n${fs.readFileSync(path.join(dir, name), 'utf8')}\n</script>`);
}
