import { migrationJobName } from "./workload-objects";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe("migrationJobName", () => {
  it.each([
    ["1.5.0", "main-api-migrate-1-5-0"],
    ["v2.0.0-rc.1", "main-api-migrate-v2-0-0-rc-1"],
    ["Release_7", "main-api-migrate-release-7"],
    ["2024.01.31-abc123", "main-api-migrate-2024-01-31-abc123"],
  ])("names the migration of tag %s %s", (tag, name) => {
    expect(migrationJobName("main-api", tag)).toBe(name);
  });

  it("shortens a long tag to a DNS label of at most 63 characters, unique by a hash of the tag", () => {
    const long = `release-${"x".repeat(100)}`;
    const name = migrationJobName("main-api", `${long}-1`);
    expect(name).toHaveLength(63);
    expect(name).toMatch(dnsLabel);
    expect(name.startsWith("main-api-migrate-release-xxx")).toBe(true);
    expect(name).not.toBe(migrationJobName("main-api", `${long}-2`));
  });

  it("names a tag without letters or digits by its hash alone", () => {
    const name = migrationJobName("main-api", "___");
    expect(name).toMatch(/^main-api-migrate-[a-f0-9]{8}$/);
    expect(name).not.toBe(migrationJobName("main-api", "_._"));
  });
});
