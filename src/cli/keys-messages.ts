// The keys tool speaks in its own options: a schema error on the new key record
// (schemas/api-keys-file.schema.json, the same check the server makes at start) becomes a
// sentence that names the option to change and what it accepts.
import type { ErrorObject } from 'ajv';

/** The record the tool is about to store, as typed on the command line. */
export interface NewKey {
  name: string;
  role: string;
  partnerId?: string;
  funds: string[];
}

const NAME_RULE = '1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit';
const ID_RULE = 'lower-case letters, digits and "-", starting with a letter or digit';

type Describe = (error: ErrorObject, key: NewKey, field: string, index: number | undefined) => string;

const FIELD_SENTENCES: Record<string, Describe> = {
  name: (_e, key) => `--name ${JSON.stringify(key.name)} is not a usable name: ${NAME_RULE}.`,
  role: (e, key) => `--role ${JSON.stringify(key.role)} is not a role; the roles are ${allowed(e)}.`,
  partnerId: (_e, key) => `--partner ${JSON.stringify(key.partnerId)} is not a partner id: ${ID_RULE}, at most 63 characters.`,
  funds: (e, key, _field, index) => fundsSentence(e, key, index),
};

function allowed(error: ErrorObject): string {
  const values = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
  return values.map(String).join(', ');
}

function fundsSentence(error: ErrorObject, key: NewKey, index: number | undefined): string {
  if (index !== undefined) {
    return `--funds: ${JSON.stringify(key.funds[index])} is not a fund id (${ID_RULE}, 2 to 63 characters) nor "*" for every fund.`;
  }
  if (error.keyword === 'uniqueItems') return '--funds names the same fund twice.';
  if (error.keyword === 'minItems') return '--funds needs at least one fund id, or "*" for every fund.';
  if (error.keyword === 'maxItems') return `--funds lists more funds than a key may hold (${String((error.params as { limit?: number }).limit)}).`;
  return `--funds ${error.message ?? 'is not valid'}.`;
}

/** A sentence for one error on the record itself (instancePath "/0"): the partner rules. */
function recordSentence(error: ErrorObject, key: NewKey): string {
  if (error.keyword === 'required' && (error.params as { missingProperty?: string }).missingProperty === 'partnerId') {
    return 'A partner key needs --partner <partnerId>: the partner whose figures it may submit.';
  }
  if (error.keyword === 'not') return `--partner is only for --role partner; ${/^[aeiou]/.test(key.role) ? 'an' : 'a'} ${key.role} key acts for no partner.`;
  return `The key ${error.message ?? 'is not valid'}.`;
}

/**
 * One sentence per field at fault, in the order the schema found them. `errors` are Ajv's for
 * the array [record]; "if" errors only say which branch failed and are left out.
 */
export function describeKeyErrors(errors: readonly ErrorObject[], key: NewKey): string[] {
  const sentences = new Map<string, string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const [, , field, index] = error.instancePath.split('/');
    const at = field === undefined ? '' : `${field}/${index ?? ''}`;
    if (sentences.has(at)) continue; // anyOf reports each branch: one sentence per place
    const describe = field === undefined ? undefined : FIELD_SENTENCES[field];
    sentences.set(at, describe ? describe(error, key, field!, index === undefined ? undefined : Number(index)) : recordSentence(error, key));
  }
  return [...sentences.values()];
}
