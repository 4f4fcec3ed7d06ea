// The files of a zip archive: how GitHub serves an Actions artifact
// (GET /repos/{owner}/{repo}/actions/artifacts/{id}/zip). Read with fflate, not by hand.
import { unzipSync } from "fflate";

/**
 * The files in a zip archive, by name; directories are left out.
 * @throws Error saying that the bytes are not a zip archive it can read, in fflate's words
 */
export function filesInZip(archive: Uint8Array): Map<string, Buffer> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(archive);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`not a zip archive it can read (${reason})`, { cause: error });
  }
  return new Map(
    Object.entries(entries)
      .filter(([name]) => !name.endsWith("/"))
      .map(([name, data]) => [name, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]),
  );
}
