// `npm run gen:openapi`: writes openapi/openapi.json from the route table and schemas/.
import fs from 'node:fs';
import { buildOpenApiDocument, OPENAPI_FILE, serializeOpenApi } from '../http/openapi.js';
import { loadSchemas } from '../http/schemas.js';

const text = serializeOpenApi(buildOpenApiDocument(loadSchemas()));
const temp = `${OPENAPI_FILE}.tmp-${process.pid}`;
fs.writeFileSync(temp, text, 'utf8');
fs.renameSync(temp, OPENAPI_FILE);
console.log(`wrote ${OPENAPI_FILE} (${text.length} bytes)`);
