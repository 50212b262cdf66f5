// Golden digests: a settlement recorded today must verify years from now. If one of these
// changes, the engine changed the figures or the canonical form of old terms — bump
// ENGINE_VERSION and keep the old rules for old settlements, never edit these digests.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { SEEDS_DIR } from '../../src/paths.js';
import { runWhatIf } from '../../src/cli/whatif.js';

const GOLDEN: Record<string, string> = {
  'example-a.json': 'sha256:b10f47bbe363c7f76cc3913c1424657658221c991403ff6646644fdf9b291526',
  'example-r.json': 'sha256:ea46dbeb0911fbcd469e454501a36f2204ec28e71b7f0130c010598cd3956045',
};

function load(name: string): { agreement: Record<string, unknown> } & Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(SEEDS_DIR, 'whatif', name), 'utf8')) as never;
}

for (const [name, digest] of Object.entries(GOLDEN)) {
  t.test(`${name} settles to its recorded digest`, async (t) => {
    const result = runWhatIf(load(name));
    t.ok(result.ok);
    if (result.ok) t.equal(result.output.digest, digest);
  });

  t.test(`${name} with an explicit schemaVersion 1 settles to the same digest`, async (t) => {
    const input = load(name);
    input.agreement = { schemaVersion: 1, ...input.agreement };
    const result = runWhatIf(input);
    t.ok(result.ok);
    if (result.ok) t.equal(result.output.digest, digest);
  });
}
