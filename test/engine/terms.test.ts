// Agreement terms: the schema's refusals and every semantic rule, each naming pot and field.
import { exampleATerms } from '../../src/examples.js';
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { AGREEMENT_TERMS_SCHEMA, DECIMAL_PATTERN, ID_PATTERN, assertValidTerms, pointerSegment, schemaErrors, validateTerms } from '../../src/domain/terms.js';
import { AMOUNT_PATTERN, NON_NEGATIVE_AMOUNT_PATTERN } from '../../src/domain/money.js';

const declared = { partners: ['ccg', 'council'], strategies: ['wellbeing', 'community', 'cyp'] };

function exampleA(): any {
  return exampleATerms();
}

/** Example A with one change made by `edit`. */
function edited(edit: (terms: any) => void): unknown {
  const terms = exampleA();
  edit(terms);
  return terms;
}

t.test('example A is valid; schemaVersion 1 is accepted; own rules too', async (t) => {
  t.strictSame(validateTerms(exampleA(), declared), []);
  t.strictSame(validateTerms({ schemaVersion: 1, ...exampleA() }, declared), []);
  t.strictSame(validateTerms(edited((x) => (x.pots[0].underspend = { own: true })), declared), []);
  t.doesNotThrow(() => assertValidTerms(exampleA(), declared));
});

t.test('schema: shape errors, one per problem, with paths', async (t) => {
  const cases: [string, unknown, { path: string; message: RegExp }[]][] = [
    ['not an object', 'terms', [{ path: '/', message: /must be object/ }]],
    ['no pots', {}, [{ path: '/pots', message: /is required/ }]],
    ['unknown top field', edited((x) => (x.extra = 1)), [{ path: '/extra', message: /not a known field/ }]],
    ['schemaVersion 2', edited((x) => (x.schemaVersion = 2)), [{ path: '/schemaVersion', message: /must be 1/ }]],
    ['missing underspend', edited((x) => delete x.pots[0].underspend), [{ path: '/pots/0/underspend', message: /is required/ }]],
    ['own false', edited((x) => (x.pots[0].underspend = { own: false })), [{ path: '/pots/0/underspend/own', message: /must be true/ }]],
    ['own with bands', edited((x) => (x.pots[0].underspend = { own: true, bands: [] })), [{ path: '/pots/0/underspend/bands', message: /not a known field/ }]],
    ['unknown field in a rule', edited((x) => (x.pots[0].overspend.limit = '1')), [{ path: '/pots/0/overspend/limit', message: /not a known field/ }]],
    ['empty bands', edited((x) => (x.pots[0].underspend.bands = [])), [{ path: '/pots/0/underspend/bands', message: /must NOT have fewer than 1 items/ }]],
    ['unknown basis', edited((x) => (x.pots[0].underspend.bands[0].basis = 'equal')), [{ path: '/pots/0/underspend/bands/0/basis', message: /must be one of "contribution", "fixed", "lead"/ }]],
    ['weights on a contribution band', edited((x) => (x.pots[0].underspend.bands[0].weights = { ccg: '1' })), [{ path: '/pots/0/underspend/bands/0/weights', message: /only allowed with basis "fixed"/ }]],
    ['partnerId on a fixed band', edited((x) => (x.pots[0].overspend.bands[1].partnerId = 'ccg')), [{ path: '/pots/0/overspend/bands/1/partnerId', message: /only allowed with basis "lead"/ }]],
    ['fixed without weights', edited((x) => delete x.pots[0].overspend.bands[1].weights), [{ path: '/pots/0/overspend/bands/1/weights', message: /is required/ }]],
    ['lead without partnerId', edited((x) => (x.pots[0].underspend.bands[0] = { basis: 'lead' })), [{ path: '/pots/0/underspend/bands/0/partnerId', message: /is required/ }]],
    ['both limits', edited((x) => (x.pots[0].overspend.bands[0].upTo = '10.00')), [{ path: '/pots/0/overspend/bands/0/upToPercentOfBudget', message: /cannot be combined with upTo/ }]],
    ['cap as a number', edited((x) => (x.pots[0].overspend.caps.council = 30000)), [{ path: '/pots/0/overspend/caps/council', message: /must be string/ }]],
    ['cap with three places', edited((x) => (x.pots[0].overspend.caps.council = '1.001')), [{ path: '/pots/0/overspend/caps/council', message: /amount string/ }]],
    ['weight not a decimal', edited((x) => (x.pots[0].overspend.bands[1].weights.ccg = '1/2')), [{ path: '/pots/0/overspend/bands/1/weights/ccg', message: /decimal string/ }]],
    ['empty strategies', edited((x) => (x.pots[0].strategies = [])), [{ path: '/pots/0/strategies', message: /fewer than 1/ }]],
    ['too many pots', { pots: Array.from({ length: 51 }, () => exampleA().pots[0]) }, [{ path: '/pots', message: /more than 50 items/ }]],
  ];
  for (const [name, terms, expected] of cases) {
    const errors = validateTerms(terms, declared);
    t.equal(errors.length, expected.length, `${name}: ${JSON.stringify(errors)}`);
    expected.forEach((want, i) => t.match(errors[i], want, name));
  }
});

t.test('semantics: every error names the pot and the field', async (t) => {
  const cases: [string, unknown, string, RegExp][] = [
    ['unknown strategy', edited((x) => x.pots[0].strategies.push('dental')), '/pots/0/strategies/2', /unknown strategy 'dental'/],
    ['strategy repeated in a pot', edited((x) => x.pots[0].strategies.push('wellbeing')), '/pots/0/strategies/2', /already in pot 'integrated-fund'/],
    ['unknown lead', edited((x) => (x.pots[0].underspend.bands[0] = { basis: 'lead', partnerId: 'nhs' })), '/pots/0/underspend/bands/0/partnerId', /lead partner 'nhs'/],
    ['weight for an unknown partner', edited((x) => (x.pots[0].overspend.bands[1].weights = { ccg: '0.5', county: '0.5' })), '/pots/0/overspend/bands/1/weights/county', /unknown partner 'county'/],
    ['weights not summing to 1', edited((x) => (x.pots[0].overspend.bands[1].weights.ccg = '0.51')), '/pots/0/overspend/bands/1/weights', /sum to 1.01; they must sum to exactly 1/],
    ['cap for an unknown partner', edited((x) => (x.pots[0].overspend.caps = { county: '1.00' })), '/pots/0/overspend/caps/county', /unknown partner 'county'/],
    ['negative cap', edited((x) => (x.pots[0].overspend.caps.council = '-1.00')), '/pots/0/overspend/caps/council', /must not be negative/],
    ['a middle band without a limit', edited((x) => delete x.pots[0].overspend.bands[0].upToPercentOfBudget), '/pots/0/overspend/bands/0', /only the last band has no limit/],
    ['a last band with a limit', edited((x) => (x.pots[0].overspend.bands[1].upTo = '100.00')), '/pots/0/overspend/bands/1/upTo', /the last band has no limit/],
    ['a zero limit', edited((x) => (x.pots[0].overspend.bands[0] = { upTo: '0.00', basis: 'contribution' })), '/pots/0/overspend/bands/0/upTo', /must be greater than 0/],
    ['a zero percentage', edited((x) => (x.pots[0].overspend.bands[0].upToPercentOfBudget = '0')), '/pots/0/overspend/bands/0/upToPercentOfBudget', /must be greater than 0/],
  ];
  for (const [name, terms, path, message] of cases) {
    const errors = validateTerms(terms, declared);
    t.equal(errors.length, 1, `${name}: ${JSON.stringify(errors)}`);
    t.equal(errors[0]?.path, path, name);
    t.match(errors[0]?.message, message, name);
    t.match(errors[0]?.message, /^pot 'integrated-fund': /, `${name} names the pot`);
  }
});

t.test('semantics: duplicate pots, a strategy in two pots, negative weights, limits not increasing', async (t) => {
  const second = { potId: 'integrated-fund', strategies: ['community', 'cyp'], overspend: { own: true }, underspend: { own: true } };
  t.strictSame(validateTerms(edited((x) => x.pots.push(second)), declared), [
    { path: '/pots/1/potId', message: "pot 'integrated-fund': potId is already used by pot 0" },
    { path: '/pots/1/strategies/0', message: "pot 'integrated-fund': strategy 'community' is already in pot 'integrated-fund'" },
  ]);
  const negative = validateTerms(edited((x) => (x.pots[0].overspend.bands[1].weights = { ccg: '1.5', council: '-0.5' })), declared);
  t.strictSame(negative, [{ path: '/pots/0/overspend/bands/1/weights/council', message: "pot 'integrated-fund': weight for 'council' must not be negative" }]);
  const bands = [
    { upTo: '100.00', basis: 'contribution' },
    { upToPercentOfBudget: '2', basis: 'contribution' },
    { upTo: '100.00', basis: 'contribution' },
    { upToPercentOfBudget: '1.5', basis: 'contribution' },
    { upTo: '150.00', basis: 'contribution' },
    { basis: 'contribution' },
  ];
  const errors = validateTerms(edited((x) => (x.pots[0].underspend = { bands })), declared);
  t.strictSame(errors.map((e) => e.path), ['/pots/0/underspend/bands/2/upTo', '/pots/0/underspend/bands/3/upToPercentOfBudget'],
    'literal limits among themselves, percentages among themselves; how they interleave waits for B');
  t.match(errors[0]?.message, /greater than the earlier band's \(100\.00\)|greater than the earlier band's \(100\)/);
});

t.test('assertValidTerms throws a 422 invalid-terms carrying the errors', async (t) => {
  const terms = edited((x) => (x.pots[0].overspend.caps = { county: '1.00' }));
  try {
    assertValidTerms(terms, declared);
    t.fail('should throw');
  } catch (error) {
    t.ok(error instanceof DomainError);
    t.match(error, { kind: 'unprocessable', code: 'invalid-terms', status: 422 });
    t.strictSame((error as DomainError).errors.map((e) => e.path), ['/pots/0/overspend/caps/county']);
    t.match((error as Error).message, /\/pots\/0\/overspend\/caps\/county: pot 'integrated-fund': cap for unknown partner/);
  }
});

t.test('ids are lower-case slugs; keys become escaped pointer segments', async (t) => {
  t.equal(pointerSegment('a/b~c'), 'a~1b~0c');
  const errors = validateTerms(edited((x) => (x.pots[0].overspend.caps = { 'a/b': '1.00' })), declared);
  t.strictSame(errors, [
    { path: '/pots/0/overspend/caps/a~1b', message: 'is not a valid key: must be a lower-case id of letters, digits and hyphens, like "integrated-fund"' },
  ]);
  t.match(validateTerms(edited((x) => (x.pots[0].potId = 'Integrated Fund')), declared), [{ path: '/pots/0/potId', message: /lower-case id/ }]);
});

t.test('the schema file: 2020-12, its $id, closed objects, bounded arrays, local refs only', async (t) => {
  const schema = AGREEMENT_TERMS_SCHEMA;
  t.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  t.equal(schema.$id, 'https://poolshare.example/schemas/agreement-terms.json');
  const problems: string[] = [];
  walk(schema, '', (node, at) => {
    if (node.type === 'array' && typeof node.maxItems !== 'number') problems.push(`${at}: array without maxItems`);
    if (node.type === 'object' && node.properties !== undefined && node.additionalProperties !== false) problems.push(`${at}: open object`);
    if (node.type === 'object' && node.properties === undefined && typeof node.maxProperties !== 'number') problems.push(`${at}: unbounded map`);
    if (typeof node.$ref === 'string' && !node.$ref.startsWith('#/$defs/')) problems.push(`${at}: non-local $ref`);
  });
  t.strictSame(problems, []);
  const defs = schema.$defs as Record<string, { pattern?: string }>;
  t.equal(defs.amount?.pattern, AMOUNT_PATTERN, 'the schema and money.ts agree on amounts');
  t.equal(defs.decimal?.pattern, DECIMAL_PATTERN);
  t.equal((defs.id as { pattern?: string }).pattern, ID_PATTERN);
});

function walk(node: unknown, at: string, visit: (node: Record<string, any>, at: string) => void): void {
  if (typeof node !== 'object' || node === null) return;
  if (!Array.isArray(node)) visit(node as Record<string, any>, at);
  for (const [key, child] of Object.entries(node)) walk(child, `${at}/${key}`, visit);
}

t.test('schema errors of other patterns and keywords keep a readable message', async (t) => {
  const errors = schemaErrors(
    [
      { keyword: 'pattern', instancePath: '/id', schemaPath: '#/pattern', params: { pattern: '^[a-z]+$' }, message: 'x' },
      { keyword: 'pattern', instancePath: '/budget', schemaPath: '#/pattern', params: { pattern: NON_NEGATIVE_AMOUNT_PATTERN } },
      { keyword: 'minimum', instancePath: '', schemaPath: '#/minimum', params: {} },
    ],
    '/agreement',
  );
  t.strictSame(errors, [
    { path: '/agreement/id', message: 'must match ^[a-z]+$' },
    { path: '/agreement/budget', message: 'must be a non-negative amount string with at most two decimal places, like "1234.50"' },
    { path: '/agreement', message: 'is invalid' },
  ]);
  t.strictSame(schemaErrors(null, ''), []);
});
