import type { ProgramRun, Registration } from "../engine/mock-engine";
import { ofType, only, runStack, stackConfig } from "../test/program";

/**
 * Names of every resource `registration` waits on, directly or through others: what the engine
 * creates before it.
 */
function waitsOn(run: ProgramRun, registration: Registration): Set<string> {
  const byUrn = new Map(run.registrations.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const pending = [...registration.dependencies];
  while (pending.length > 0) {
    const urn = pending.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    pending.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return new Set([...seen].map((urn) => byUrn.get(urn)?.name ?? urn));
}

/** The app's migration Job (named after its release). */
const migration = (run: ProgramRun, app: string): Registration => {
  const jobs = ofType(run, "kubernetes:batch/v1:Job").filter((job) => job.name.startsWith(`${app}-migrate-`));
  if (jobs.length !== 1) throw new Error(`expected one migration Job of ${app}, found ${jobs.length}`);
  return jobs[0]!;
};

/** Production runs no app until one is promoted: pin all three, as a promotion would. */
const promoted = Object.fromEntries(
  [
    ["main-api", "1.4.0"],
    ["web", "2.0.1"],
    ["customer-api", "0.9.3"],
  ].map(([app, tag], index) => [app, { tag, digest: `sha256:${String(index).repeat(64)}` }]),
);
const config = (stack: string): Record<string, string> =>
  stack === "production"
    ? { ...stackConfig(stack), "platform:images": JSON.stringify(promoted) }
    : stackConfig(stack);

const mysqlReady = ["mysql-require-secure-transport", "mysql-db-main_api", "mysql-db-customer_api"];
const redisReady = ["redis-database", "redis-endpoint", "redis-endpoint-dns", "redis-zone-link"];
/** The cache accepts an app only once its access policy assignment exists. */
const redisAccess = (app: string) => `redis-access-${app}`;

describe.each(["acceptance", "production"])("%s: workloads start only when their data is ready", (stack) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack(stack, config(stack));
  });

  test.each(["customer-api", "main-api"])(
    "%s's Secret and migration Job wait for every database and setting of the MySQL server",
    (app) => {
      const secret = only(run, "kubernetes:core/v1:Secret", `${app}-secrets`);
      expect([...waitsOn(run, secret)]).toEqual(expect.arrayContaining(mysqlReady));
      expect([...waitsOn(run, migration(run, app))]).toEqual(expect.arrayContaining(mysqlReady));
    },
  );

  test.each(["main-api", "web"])(
    "%s's ConfigMap (the cache's host) waits for the cache's database, private endpoint, private DNS record and the app's access",
    (app) => {
      const config = only(run, "kubernetes:core/v1:ConfigMap", `${app}-config`);
      expect([...waitsOn(run, config)]).toEqual(expect.arrayContaining([...redisReady, redisAccess(app)]));
    },
  );

  test("main-api's migration waits for the cache too", () => {
    expect([...waitsOn(run, migration(run, "main-api"))]).toEqual(expect.arrayContaining(redisReady));
  });
});
