// The JSON Schemas in schemas/ are the single source of request and response
// shapes: Ajv validates with them and the OpenAPI document is generated from them.
import fs from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../paths.js';

export const SCHEMA_BASE = 'https://poolshare.example/schemas/';
export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const SCHEMA_FILE_SUFFIX = '.schema.json';
const SCHEMA_FILES_MAX = 500;

export type JsonSchema = { [keyword: string]: unknown };

/** A schema file by its short name: `amount` is schemas/amount.schema.json, `$id` …/schemas/amount.json. */
export interface SchemaSet {
  byName: ReadonlyMap<string, JsonSchema>;
}

export function schemaId(name: string): string {
  return `${SCHEMA_BASE}${name}.json`;
}

/** `{$ref}` to a schema file by its short name. */
export function schemaRef(name: string): { $ref: string } {
  return { $ref: schemaId(name) };
}

/** The short name of a `$id`/`$ref` under SCHEMA_BASE, or undefined (a `#/$defs/x` suffix is ignored). */
export function schemaNameOf(uri: string): string | undefined {
  if (!uri.startsWith(SCHEMA_BASE)) return undefined;
  const match = /^([a-z0-9-]+)\.json(#.*)?$/.exec(uri.slice(SCHEMA_BASE.length));
  return match?.[1];
}

/** Reads every `*.schema.json`; each must declare the 2020-12 dialect and the `$id` its file name implies. */
export function loadSchemas(dir: string = SCHEMAS_DIR): SchemaSet {
  const files = fs.readdirSync(dir).filter((file) => file.endsWith(SCHEMA_FILE_SUFFIX)).sort();
  if (files.length > SCHEMA_FILES_MAX) throw new Error(`more than ${SCHEMA_FILES_MAX} schema files in ${dir}`);
  const byName = new Map<string, JsonSchema>();
  for (const file of files) {
    const name = file.slice(0, -SCHEMA_FILE_SUFFIX.length);
    const schema = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as JsonSchema;
    if (schema['$id'] !== schemaId(name)) {
      throw new Error(`${file}: $id must be ${schemaId(name)}, found ${JSON.stringify(schema['$id'])}`);
    }
    if (schema['$schema'] !== SCHEMA_DIALECT) throw new Error(`${file}: $schema must be ${SCHEMA_DIALECT}`);
    byName.set(name, schema);
  }
  return { byName };
}

export function requireSchema(schemas: SchemaSet, name: string): JsonSchema {
  const schema = schemas.byName.get(name);
  if (schema === undefined) throw new Error(`schema ${name} (${schemaId(name)}) is missing from ${SCHEMAS_DIR}`);
  return schema;
}
