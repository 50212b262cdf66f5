// Agreement terms and board decisions: the schemas' refusals (at the edge, src/schema-check.ts)
// and every semantic rule of the domain (src/domain/terms.ts), each naming pot and field.
import { exampleATerms } from '../../src/examples.js';
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { DECIMAL_PATTERN, ID_PATTERN, assertValidTerms, pointerSegment, validateDecision, validateTerms } from '../../src/domain/terms.js';
import { classifyRule, type AgreementTerms, type Decision } from '../../src/domain/terms-types.js';
import { AMOUNT_PATTERN, NON_NEGATIVE_AMOUNT_PATTERN } from '../../src/domain/money.js';
import { loadSchemas, requireSchema } from '../../src/http/schemas.js';
import { checkDecision, checkTerms, schemaErrors } from '../../src/schema-check.js';

const declared = { partners: ['ccg', 'council'], strategies: ['wellbeing', 'community', 'cyp'] };

function exampleA(): any {
  return exampleATerms();
}

/** Example A with one change made by `edit`. */
function edited(edit: (terms: any) => void): any {
  const terms = exampleA();
  edit(terms);
  return terms;
}

t.test('example A is valid; schemaVersion 1 is accepted; own rules too', async (t) => {
  t.strictSame(checkTerms(exampleA(), declared), []);
  t.strictSame(checkTerms({ schemaVersion: 1, ...exampleA() }, declared), []);
  t.strictSame(checkTerms(edited((x) => (x.pots[0].underspend = { own: true })), declared), []);
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
    const errors = checkTerms(terms, declared);
    t.equal(errors.length, expected.length, `${name}: ${JSON.stringify(errors)}`);
    expected.forEach((want, i) => t.match(errors[i], want, name));
  }
});

t.test('semantics: every error names the pot and the field', async (t) => {
  const cases: [string, AgreementTerms, string, RegExp][] = [
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
  const errors = checkTerms(edited((x) => (x.pots[0].overspend.caps = { 'a/b': '1.00' })), declared);
  t.strictSame(errors, [
    { path: '/pots/0/overspend/caps/a~1b', message: 'is not a valid key: must be a lower-case id of letters, digits and hyphens, like "integrated-fund"' },
  ]);
  t.match(checkTerms(edited((x) => (x.pots[0].potId = 'Integrated Fund')), declared), [{ path: '/pots/0/potId', message: /lower-case id/ }]);
});

t.test('the schema file: 2020-12, its $id, closed objects, bounded arrays, local refs only', async (t) => {
  const schema = requireSchema(loadSchemas(), 'agreement-terms');
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

// ---------------------------------------------------------------------------------------
// The reserve (engine 2)

/** Example A with a second pot and a reserve covering the first. */
function withReserve(edit: (terms: any) => void = () => {}): any {
  return edited((x) => {
    x.pots.push({ potId: 'children', strategies: ['cyp'], overspend: { own: true }, underspend: { own: true } });
    x.reserve = { contributions: { ccg: '300000.00', council: '200000.00' }, covers: ['integrated-fund'], unused: 'carry-forward' };
    edit(x);
  });
}

t.test('reserve: valid terms with one; none and an empty one are valid too', async (t) => {
  t.strictSame(checkTerms(withReserve(), declared), []);
  t.strictSame(checkTerms(withReserve((x) => (x.reserve = { contributions: {}, covers: [], unused: 'return' })), declared), []);
  t.strictSame(checkTerms(withReserve((x) => (x.reserve.contributions = { ccg: '0.00' })), declared), [], 'a zero contribution');
});

t.test('reserve: shape errors at the edge, with paths', async (t) => {
  const cases: [string, unknown, { path: string; message: RegExp }[]][] = [
    ['no unused', withReserve((x) => delete x.reserve.unused), [{ path: '/reserve/unused', message: /is required/ }]],
    ['no covers', withReserve((x) => delete x.reserve.covers), [{ path: '/reserve/covers', message: /is required/ }]],
    ['no contributions', withReserve((x) => delete x.reserve.contributions), [{ path: '/reserve/contributions', message: /is required/ }]],
    ['unknown unused', withReserve((x) => (x.reserve.unused = 'keep')), [{ path: '/reserve/unused', message: /must be one of "return", "carry-forward"/ }]],
    ['unknown field', withReserve((x) => (x.reserve.cap = '1.00')), [{ path: '/reserve/cap', message: /not a known field/ }]],
    ['amount as a number', withReserve((x) => (x.reserve.contributions.ccg = 300000)), [{ path: '/reserve/contributions/ccg', message: /must be string/ }]],
    ['amount with three places', withReserve((x) => (x.reserve.contributions.ccg = '1.001')), [{ path: '/reserve/contributions/ccg', message: /amount string/ }]],
    ['a pot id that is not an id', withReserve((x) => (x.reserve.covers = ['Integrated Fund'])), [{ path: '/reserve/covers/0', message: /lower-case id/ }]],
  ];
  for (const [name, terms, expected] of cases) {
    const errors = checkTerms(terms, declared);
    t.equal(errors.length, expected.length, `${name}: ${JSON.stringify(errors)}`);
    expected.forEach((want, i) => t.match(errors[i], want, name));
  }
});

t.test('reserve: every refusal names its path (unknown partner or pot, negative amount, own overspend, repeated pot)', async (t) => {
  const cases: [string, AgreementTerms, { path: string; message: string }[]][] = [
    ['unknown partner', withReserve((x) => (x.reserve.contributions.county = '1.00')),
      [{ path: '/reserve/contributions/county', message: "reserve: contribution from unknown partner 'county'" }]],
    ['negative amount', withReserve((x) => (x.reserve.contributions.council = '-0.01')),
      [{ path: '/reserve/contributions/council', message: "reserve: contribution from 'council' must not be negative" }]],
    ['unknown pot', withReserve((x) => x.reserve.covers.push('dental')),
      [{ path: '/reserve/covers/1', message: "reserve: covers unknown pot 'dental'" }]],
    ['own overspend', withReserve((x) => x.reserve.covers.push('children')),
      [{ path: '/reserve/covers/1', message: "reserve: covered pot 'children' shares its overspend as each partner's own; a covered pot needs a bands overspend rule" }]],
    ['repeated pot', withReserve((x) => x.reserve.covers.push('integrated-fund')),
      [{ path: '/reserve/covers/1', message: "reserve: pot 'integrated-fund' is already covered at /reserve/covers/0" }]],
  ];
  for (const [name, terms, expected] of cases) t.strictSame(validateTerms(terms, declared), expected, name);
  const ownUnderspend = withReserve((x) => (x.pots[0].underspend = { own: true }));
  t.strictSame(validateTerms(ownUnderspend, declared), [], 'an own underspend rule is fine: underspends never draw');
  const named = { ...declared, partners: ['ccg', 'council', 'reserve'] };
  t.strictSame(validateTerms(withReserve((x) => (x.reserve.contributions = {})), named), [
    { path: '/reserve', message: "reserve: the id 'reserve' names the reserve in payments, so a fund with a partner called 'reserve' cannot have one" },
  ]);
  t.strictSame(validateTerms(exampleA(), named).filter((e) => e.path.startsWith('/reserve')), [], 'no reserve, no refusal of the id here');
});

t.test('terms without a reserve are unchanged: same errors, same shape', async (t) => {
  t.notOk('reserve' in exampleA());
  t.strictSame(checkTerms(exampleA(), declared), []);
});

// ---------------------------------------------------------------------------------------
// Board decisions

const decision = (edit: (d: any) => void = () => {}): any => {
  const d = { potId: 'integrated-fund', direction: 'overspend', allocate: { basis: 'fixed', weights: { ccg: '0.6', council: '0.4' } }, reference: 'Joint Commissioning Board 15 June 2017, minute 7' };
  edit(d);
  return d;
};

t.test('decision: a valid one of each basis', async (t) => {
  const terms = exampleA();
  t.strictSame(checkDecision(decision(), terms, declared.partners), []);
  t.strictSame(checkDecision(decision((d) => (d.allocate = { basis: 'contribution' })), terms, declared.partners), []);
  t.strictSame(checkDecision(decision((d) => (d.allocate = { basis: 'lead', partnerId: 'council' })), terms, declared.partners), []);
  t.strictSame(checkDecision(decision((d) => (d.direction = 'underspend')), terms, declared.partners), []);
});

t.test('decision: shape errors at the edge (reference 1–500 characters)', async (t) => {
  const terms = exampleA();
  const cases: [string, unknown, { path: string; message: RegExp }[]][] = [
    ['no reference', decision((d) => delete d.reference), [{ path: '/reference', message: /is required/ }]],
    ['empty reference', decision((d) => (d.reference = '')), [{ path: '/reference', message: /fewer than 1 characters/ }]],
    ['501 characters', decision((d) => (d.reference = 'x'.repeat(501))), [{ path: '/reference', message: /more than 500 characters/ }]],
    ['direction none', decision((d) => (d.direction = 'none')), [{ path: '/direction', message: /must be one of "overspend", "underspend"/ }]],
    ['weights on a lead', decision((d) => (d.allocate = { basis: 'lead', partnerId: 'ccg', weights: { ccg: '1' } })), [{ path: '/allocate/weights', message: /only allowed with basis "fixed"/ }]],
    ['limit on a split', decision((d) => (d.allocate.upTo = '10.00')), [{ path: '/allocate/upTo', message: /not a known field/ }]],
    ['unknown field', decision((d) => (d.version = 1)), [{ path: '/version', message: /not a known field/ }]],
  ];
  for (const [name, value, expected] of cases) {
    const errors = checkDecision(value, terms, declared.partners);
    t.equal(errors.length, expected.length, `${name}: ${JSON.stringify(errors)}`);
    expected.forEach((want, i) => t.match(errors[i], want, name));
  }
  t.strictSame(checkDecision(decision((d) => (d.reference = 'x'.repeat(500))), terms, declared.partners), [], '500 characters');
});

t.test('decision: the pot must be in the agreement, the partners the fund-year\'s, fixed weights summing to exactly 1', async (t) => {
  const terms: AgreementTerms = exampleA();
  const cases: [string, Decision, { path: string; message: string }[]][] = [
    ['unknown pot', decision((d) => (d.potId = 'dental')), [{ path: '/potId', message: "decision for pot 'dental': no pot 'dental' in the adopted agreement" }]],
    ['unknown lead', decision((d) => (d.allocate = { basis: 'lead', partnerId: 'county' })),
      [{ path: '/allocate/partnerId', message: "decision for pot 'integrated-fund': lead partner 'county' is not a partner of the fund" }]],
    ['weights not summing to 1', decision((d) => (d.allocate.weights.ccg = '0.7')),
      [{ path: '/allocate/weights', message: "decision for pot 'integrated-fund': weights sum to 1.1; they must sum to exactly 1" }]],
    ['weight for an unknown partner', decision((d) => (d.allocate.weights = { ccg: '0.6', county: '0.4' })),
      [{ path: '/allocate/weights/county', message: "decision for pot 'integrated-fund': weight for unknown partner 'county'" }]],
    ['negative weight', decision((d) => (d.allocate.weights = { ccg: '1.5', council: '-0.5' })),
      [{ path: '/allocate/weights/council', message: "decision for pot 'integrated-fund': weight for 'council' must not be negative" }]],
  ];
  for (const [name, value, expected] of cases) t.strictSame(validateDecision(value, terms, declared.partners), expected, name);
});

t.test('classifyRule: a discriminant derived in memory, the JSON untouched', async (t) => {
  const own = { own: true as const };
  const bands = { bands: [{ basis: 'contribution' as const }] };
  t.strictSame(classifyRule(own), { kind: 'own', rule: own });
  t.strictSame(classifyRule(bands), { kind: 'bands', rule: bands });
  t.strictSame(own, { own: true }, 'no kind field is written into the terms');
  t.throws(() => classifyRule({} as never), /unexpected value/);
});
