// The files of a zip archive: how GitHub serves an Actions artifact
// (GET /repos/{owner}/{repo}/actions/artifacts/{id}/zip).
import { inflateRawSync } from "node:zlib";

/**
 * The files in a zip archive, by name: stored (method 0) or deflated (method 8) entries, found
 * through the central directory (PKWARE APPNOTE 4.3). Directories are left out.
 * @throws Error saying why the bytes are not a zip archive it can read
 */
export function filesInZip(archive: Uint8Array): Map<string, Buffer> {
  const zip = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  // The end of central directory record: 22 bytes plus a comment of up to 65535 bytes.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65535); at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error("not a zip archive (no end of central directory record)");
  const count = zip.readUInt16LE(end + 10);
  let entry = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let index = 0; index < count; index++) {
    if (entry + 46 > zip.length || zip.readUInt32LE(entry) !== 0x02014b50) {
      throw new Error(`entry ${index} of the central directory is damaged`);
    }
    const method = zip.readUInt16LE(entry + 10);
    const compressedSize = zip.readUInt32LE(entry + 20);
    const nameLength = zip.readUInt16LE(entry + 28);
    const skip = nameLength + zip.readUInt16LE(entry + 30) + zip.readUInt16LE(entry + 32);
    const local = zip.readUInt32LE(entry + 42);
    const name = zip.toString("utf8", entry + 46, entry + 46 + nameLength);
    entry += 46 + skip;
    if (name.endsWith("/")) continue;
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) {
      throw new Error(`the local header of ${name} is damaged`);
    }
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressedSize);
    if (method === 0) files.set(name, Buffer.from(data));
    else if (method === 8) files.set(name, inflateRawSync(data));
    else
      throw new Error(
        `${name} is compressed with method ${method}; only stored (0) and deflated (8) are read`,
      );
  }
  return files;
}
