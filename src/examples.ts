// SETTLEMENT.md's worked example A, read from the one file that holds it
// (seeds/whatif/example-a.json): the example terms in the OpenAPI document, and the
// terms the tests start from, so the spec's example is written down exactly once.
import fs from 'node:fs';
import path from 'node:path';
import type { LineAmount } from './domain/settlement-types.js';
import type { AgreementTerms } from './domain/terms-types.js';
import { SEEDS_DIR } from './paths.js';

interface WhatIfFile {
  budget: LineAmount[];
  agreement: AgreementTerms;
}

const EXAMPLE_A_FILE = path.join(SEEDS_DIR, 'whatif', 'example-a.json');

function exampleA(): WhatIfFile {
  return JSON.parse(fs.readFileSync(EXAMPLE_A_FILE, 'utf8')) as WhatIfFile;
}

/** A fresh copy on every call: callers may edit theirs. */
export function exampleATerms(): AgreementTerms {
  return exampleA().agreement;
}

/** Example A's budget lines, in the file's order. */
export function exampleABudget(): LineAmount[] {
  return exampleA().budget;
}
