import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createDeliveryHistory, deliveryNow, type DeliveryHistoryFixture } from "../../test/delivery-history";
import { runCli } from "../../test/run-cli";
import { describeChange } from "../metrics/events";
import { median } from "../metrics/figures";

const golden = (name: string) => path.join(__dirname, "..", "..", "test", "golden", name);

/** Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it (review the diff). */
function expectGolden(name: string, actual: string): void {
  if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(golden(name))) writeFileSync(golden(name), actual);
  expect(actual).toBe(readFileSync(golden(name), "utf8"));
}

let history: DeliveryHistoryFixture;
beforeAll(() => {
  history = createDeliveryHistory();
});
afterAll(() => history.fixture.cleanup());

describe("platform metrics on a synthetic history with fixed dates", () => {
  test("prints every figure with the events it counted, exactly as the golden file", async () => {
    const run = await runCli(["metrics"], history.fixture.clone, history.env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expectGolden("metrics.txt", run.stdout);
  });

  test("--json gives the same figures as data, exactly as the golden file", async () => {
    const run = await runCli(["metrics", "--json"], history.fixture.clone, history.env);
    expect(run.code).toBe(0);
    expectGolden("metrics.json", run.stdout);
    const metrics = JSON.parse(run.stdout) as {
      apps: {
        app: string;
        environment: string;
        leadTime: { events: { stages: object; minutes: number }[] };
      }[];
    };
    // main-api 1.1.0 to production: review 60 + deploy 30 + 20 + soak 120 + promotion 90 = 320 min.
    const production = metrics.apps.find(
      (app) => app.app === "main-api" && app.environment === "production",
    )!;
    expect(production.leadTime.events[0]).toMatchObject({
      minutes: 320,
      stages: { review: 60, deploy: 50, soak: 120, promotion: 90 },
    });
  });

  test("--since leaves out what happened before it", async () => {
    const run = await runCli(
      ["metrics", "--since", "2026-01-10", "--json"],
      history.fixture.clone,
      history.env,
    );
    expect(run.code).toBe(0);
    const metrics = JSON.parse(run.stdout) as {
      since: string;
      apps: { app: string; environment: string; deployFrequency: { events: { version: string }[] } }[];
    };
    expect(metrics.since).toBe("2026-01-10T00:00:00.000Z");
    const acceptance = metrics.apps.find(
      (app) => app.app === "main-api" && app.environment === "acceptance",
    )!;
    expect(acceptance.deployFrequency.events.map((event) => event.version)).toEqual(["1.2.1"]);
  });

  test.each([
    [
      "not a date",
      "yesterday",
      "--since: 'yesterday' is not a date; give YYYY-MM-DD (UTC) or an ISO 8601 time with a zone, such as 2026-11-01T09:00:00Z\n",
    ],
    [
      "a day that does not exist",
      "2026-02-30",
      "--since: '2026-02-30' is not a date; give YYYY-MM-DD (UTC) or an ISO 8601 time with a zone, such as 2026-11-01T09:00:00Z\n",
    ],
    [
      "in the future",
      "2026-01-22",
      `--since: 2026-01-22 is in the future (now is 2026-01-21T00:00:00.000Z); give a date in the past\n`,
    ],
  ])("--since %s fails with exit 2", async (_, value, message) => {
    const run = await runCli(["metrics", "--since", value], history.fixture.clone, history.env);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${message}`,
    });
    expect(deliveryNow).toBe("2026-01-21T00:00:00Z");
  });
});

describe("the events' pure parts", () => {
  test("a change's kind comes from its merge branch, else its title's verb", () => {
    expect(
      describeChange(
        "Merge pull request #12 from acme/rollback/production/web\n\nRoll back production: web 2.1.0 → 2.0.0",
      ),
    ).toEqual({
      title: "Roll back production: web 2.1.0 → 2.0.0",
      pullRequest: 12,
      kind: "rollback",
    });
    expect(describeChange("Promote to production: web 2.0.0 → 2.1.0 (#4)\n\nbody")).toEqual({
      title: "Promote to production: web 2.0.0 → 2.1.0",
      pullRequest: 4,
      kind: "promotion",
    });
    expect(describeChange("Bump web by hand")).toEqual({
      title: "Bump web by hand",
      pullRequest: undefined,
      kind: "other",
    });
  });

  test("median", () => {
    expect([median([]), median([3, 1, 2]), median([4, 1, 2, 3])]).toEqual([undefined, 2, 3]);
  });
});
