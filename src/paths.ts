// Files shipped beside the code (schemas/, openapi/). src/paths.ts and its built
// twin dist/paths.js both sit one level below the project root.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SCHEMAS_DIR = path.join(PROJECT_ROOT, 'schemas');
export const OPENAPI_DIR = path.join(PROJECT_ROOT, 'openapi');
export const SEEDS_DIR = path.join(PROJECT_ROOT, 'seeds');
