// The unzipped size a ZIP file (an XLSX workbook) declares, read from its central
// directory without inflating anything, so that a small upload which would unzip to
// gigabytes is refused before the workbook library reads it. (The declared sizes are
// what a well-formed file carries; this bounds honest files and naive bombs, and the
// compressed size bound caps the rest.)
const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_LENGTH = 22;
const COMMENT_LENGTH_MAX = 0xffff;
const ZIP64_MARK = 0xffffffff;

/** Total declared uncompressed bytes, or null if the central directory cannot be read. */
export function declaredUnzippedBytes(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd === null) return null;
  const entries = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  let total = 0;
  for (let i = 0; i < entries; i += 1) {
    if (offset + 46 > view.byteLength || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) return null;
    const size = view.getUint32(offset + 24, true);
    if (size === ZIP64_MARK) return Number.POSITIVE_INFINITY; // ZIP64: over 4 GiB declared
    total += size;
    offset += 46 + view.getUint16(offset + 28, true) + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return total;
}

function findEndOfCentralDirectory(view: DataView): number | null {
  const lowest = Math.max(0, view.byteLength - EOCD_LENGTH - COMMENT_LENGTH_MAX);
  for (let at = view.byteLength - EOCD_LENGTH; at >= lowest; at -= 1) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE) return at;
  }
  return null;
}
