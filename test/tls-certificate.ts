import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** A self-signed certificate and its key, in PEM. */
export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
}

let made: TestCertificate | undefined;

/**
 * A self-signed certificate for 127.0.0.1 and localhost (P-256, one day), made once per process
 * with openssl: what the test servers that speak TLS (the fake Kubernetes API server, the fake
 * Redis) present, and what their clients trust as their CA.
 */
export function testCertificate(): TestCertificate {
  if (made !== undefined) return made;
  const directory = mkdtempSync(path.join(tmpdir(), "platform-tls-"));
  try {
    const key = path.join(directory, "key.pem");
    const cert = path.join(directory, "cert.pem");
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"],
        ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
      ],
      { stdio: "ignore" },
    );
    made = { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
    return made;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
