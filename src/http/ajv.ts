// One Ajv (JSON Schema 2020-12) holding every schema of schemas/, configured so
// that a wrong type is refused, never coerced, and an extra field is refused,
// never dropped (TOOLCHAIN.md: Fastify's defaults do both).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { SchemaSet } from './schemas.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default;

export type SchemaValidator = Ajv2020;

export function createAjv(schemas: SchemaSet): Ajv2020 {
  const ajv = new Ajv2020({
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: false,
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
  });
  addFormats(ajv);
  for (const schema of schemas.byName.values()) ajv.addSchema(schema);
  return ajv;
}
