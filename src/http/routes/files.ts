// Files to download (CSV, XLSX): their media type, and content-disposition so that a browser
// saves them under the name the service gives (ids only: slugs, periods, revisions).
import type { FastifyReply } from 'fastify';
import type { DownloadFile } from '../../app/service-types.js';

export function sendFile<Body>(reply: FastifyReply, file: DownloadFile): Body {
  reply.type(file.mediaType);
  reply.header('content-disposition', `attachment; filename="${file.fileName}"`);
  return file.body as Body;
}
