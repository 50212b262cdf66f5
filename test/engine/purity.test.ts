// The domain is pure: no file system, no paths, no Ajv (schemas are applied at the edges).
// The engine and the terms checks in particular never read a schema nor run a validator.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { PROJECT_ROOT } from '../../src/paths.js';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

t.test('src/domain imports no node:fs, node:path, ajv or the project paths', async (t) => {
  const files = sources(path.join(PROJECT_ROOT, 'src', 'domain'));
  t.ok(files.length > 10, `${files.length} files`);
  const forbidden = /from '(node:fs|node:path|fs|path|ajv[^']*|ajv-formats|(\.\.\/)+paths\.js)'/;
  const offenders = files.filter((file) => forbidden.test(fs.readFileSync(file, 'utf8'))).map((file) => path.relative(PROJECT_ROOT, file));
  t.strictSame(offenders, []);
});
