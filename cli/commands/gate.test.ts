import {
  acceptanceFile,
  createGitFixture,
  digest,
  productionFile,
  type GitFixture,
} from "../../test/git-fixture";
import { first, last, upstreamOf } from "../../test/pipeline-names";
import { pushRecord } from "../../test/records";
import { runCli } from "../../test/run-cli";

// customer-api as if renamed from customer-app: its persistent names pinned to customer-app's
// (only the rename test below reads them; gate plans nothing).
jest.mock("../../apps/customer-api/app", () => {
  const actual = jest.requireActual<typeof import("../../apps/customer-api/app")>(
    "../../apps/customer-api/app",
  );
  const old = "customer-app";
  const persistent = { database: "customer_app", identity: old, imageRepository: old, kubernetes: old };
  return { customerApi: { ...actual.customerApi, persistent } };
});

// The gate under test: the last environment's, whose upstream verified what it promotes.
const to = last;
const from = upstreamOf(last);

let fixture: GitFixture;
// Tuesday 2026-12-01 11:00 in Amsterdam: inside production's promotion window.
const inWindow = "2026-12-01T10:00:00Z";
let clock = inWindow;
const gate = (...argv: string[]) =>
  runCli(["gate", ...argv], fixture.clone, { ...fixture.env, PLATFORM_NOW: clock });
const gateProduction = (...more: string[]) => gate(to, "--base", "main", ...more);
const withEntries = (mainApi: string, web: string) =>
  productionFile
    .replace(`tag: "1.3.0"   # promoted by CI\n      digest: ${digest("1")}`, mainApi)
    .replace(`web: { tag: 2.0.1, digest: "${digest("2")}" }`, web);
const mainApi14 = `tag: "1.4.0"\n      digest: ${digest("a")}`;
const web202 = `web: { tag: 2.0.2, digest: ${digest("b")} }`;
const web201 = `web: { tag: 2.0.1, digest: "${digest("2")}" }`;
const set14 = { "main-api": `1.4.0@${digest("a")}`, web: `2.0.2@${digest("b")}` };
const promotion = `gate ${to}: a promotion: only image versions in Pulumi.${to}.yaml change`;

beforeEach(() => {
  fixture = createGitFixture();
  clock = inWindow;
});
afterEach(() => fixture.cleanup());

test(`passes a set ${from} verified together and that soaked, inside a window`, async () => {
  const record = pushRecord(fixture, from, set14, "2026-12-01T08:00:00Z");
  fixture.write(`Pulumi.${to}.yaml`, withEntries(mainApi14, web202));
  expect(await gateProduction()).toEqual({
    code: 0,
    stdout: [
      promotion,
      `main-api: passed: 1.4.0@${digest("a")} was verified by ${from} in ${record} (2026-12-01 08:00 UTC)`,
      `web: passed: 2.0.2@${digest("b")} was verified by ${from} in ${record} (2026-12-01 08:00 UTC)`,
      `together: ${to} will run the set ${from} verified in ${record} (2026-12-01 08:00 UTC)`,
      `soak: the set ran verified in ${from} for 120 min since ${record} (2026-12-01 08:00 UTC) (60 min required)`,
      "window: open: inside a promotion window (Monday-Thursday 09:00-16:00, Friday 09:00-12:00 Europe/Amsterdam)",
      `gate ${to}: 2 changed apps passed`,
      "",
    ].join("\n"),
    stderr: "",
  });
});

test(`fails a digest no ${from} record holds, and an entry without digest`, async () => {
  pushRecord(fixture, from, set14, "2026-12-01T08:00:00Z");
  fixture.write(
    `Pulumi.${to}.yaml`,
    withEntries(`tag: "1.4.0"\n      digest: ${digest("f")}`, "web: { tag: 2.0.2 }"),
  );
  const run = await gateProduction();
  expect(run.code).toBe(1);
  expect(run.stdout.split("\n").slice(0, 3)).toEqual([
    promotion,
    `main-api: failed: 1.4.0@${digest("f")} is in no verification record of ${from}; copy it with: platform promote ${from} ${to}`,
    `web: failed: 2.0.2 has no digest; ${to} does not build images and deploys only tag@digest (copy it with: platform promote ${from} ${to} --app web)`,
  ]);
  expect(run.stderr).toBe(`error: gate ${to}: 3 checks failed (main-api, web, together)\n`);
});

test(`a set ${from} never verified together fails by default, and names the combination`, async () => {
  const r1 = pushRecord(
    fixture,
    from,
    { "main-api": `1.4.0@${digest("a")}`, web: `2.0.1@${digest("2")}` },
    "2026-12-01T06:00:00Z",
  );
  const r2 = pushRecord(
    fixture,
    from,
    { "main-api": `1.3.0@${digest("1")}`, web: `2.0.2@${digest("b")}` },
    "2026-12-01T07:00:00Z",
  );
  fixture.write(`Pulumi.${to}.yaml`, withEntries(mainApi14, web202));
  const run = await gateProduction();
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(`main-api: passed: 1.4.0@${digest("a")} was verified by ${from} in ${r1}`);
  expect(run.stdout).toContain(`web: passed: 2.0.2@${digest("b")} was verified by ${from} in ${r2}`);
  expect(run.stdout).toContain(
    `together: failed: ${to} would run main-api 1.4.0@${digest("a")}, web 2.0.2@${digest("b")}, a combination ${from} never verified together (the nearest, ${r2} (2026-12-01 07:00 UTC), has main-api 1.3.0@${digest("1")}); promote a whole verified set, or label the pull request promotion:partial\n`,
  );
  expect(run.stderr).toBe(`error: gate ${to}: 1 check failed (together)\n`);

  const partial = await gateProduction("--label", "promotion:partial");
  expect(partial.code).toBe(0);
  expect(partial.stdout).toContain(
    `together: promotion:partial: ${to} would run main-api 1.4.0@${digest("a")}, web 2.0.2@${digest("b")}, a combination ${from} never verified together`,
  );
  // Each app's own soak counts then: main-api ran 60 min (replaced at 07:00), web since 07:00.
  expect(partial.stdout).toContain(`soak: main-api 1.4.0@${digest("a")} ran verified in ${from} for 60 min`);
  expect(partial.stdout).toContain(`soak: web 2.0.2@${digest("b")} ran verified in ${from} for 180 min`);
});

test(`soak: fails until the set has run an hour in ${from}, says when, passes when run again then`, async () => {
  const record = pushRecord(fixture, from, set14, "2026-12-01T09:40:00Z");
  fixture.write(`Pulumi.${to}.yaml`, withEntries(mainApi14, web202));
  const early = await gateProduction();
  expect(early.code).toBe(1);
  expect(early.stdout).toContain(
    `soak: failed: the set has run verified in ${from} for 20 min since ${record} (2026-12-01 09:40 UTC); ${to} requires 60 min: it may go from Tuesday 2026-12-01 11:40 Europe/Amsterdam (10:40 UTC) (in 40 min); run the gate again then\n`,
  );
  expect(early.stderr).toBe(`error: gate ${to}: 1 check failed (soak)\n`);
  clock = "2026-12-01T10:40:00Z";
  expect((await gateProduction()).code).toBe(0);
});

test(`soak: a set ${from} replaced before it soaked never soaks`, async () => {
  const first = pushRecord(fixture, from, set14, "2026-12-01T07:00:00Z");
  const next = pushRecord(fixture, from, { ...set14, web: `2.0.3@${digest("c")}` }, "2026-12-01T07:30:00Z");
  fixture.write(`Pulumi.${to}.yaml`, withEntries(mainApi14, web202));
  const run = await gateProduction();
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(
    `soak: failed: the set ran verified in ${from} for only 30 min (from ${first} (2026-12-01 07:00 UTC) until ${next} (2026-12-01 07:30 UTC) replaced it); ${to} requires 60 min: promote a set that soaked\n`,
  );
});

test("window: a promotion outside the windows fails with the next opening; a merge after it closed fails in the deploy job", async () => {
  pushRecord(fixture, from, set14, "2026-12-01T08:00:00Z");
  fixture.write(`Pulumi.${to}.yaml`, withEntries(mainApi14, web202));
  // Approved at 15:59 Amsterdam, inside the window; merged and deployed at 16:00, when it closed.
  clock = "2026-12-01T14:59:00Z";
  expect((await gateProduction()).code).toBe(0);
  clock = "2026-12-01T15:00:00Z";
  const late = await gateProduction();
  expect(late.code).toBe(1);
  expect(late.stdout).toContain(
    "window: failed: Tuesday 2026-12-01 16:00 Europe/Amsterdam (15:00 UTC) is outside the promotion windows (Monday-Thursday 09:00-16:00, Friday 09:00-12:00 Europe/Amsterdam); the promotion may deploy from Wednesday 2026-12-02 09:00 Europe/Amsterdam (08:00 UTC), or at once with promotion:break-glass and two approvals\n",
  );
  expect(late.stderr).toBe(`error: gate ${to}: 1 check failed (window)\n`);
});

describe("rollback and the rebase-merge laundering", () => {
  test(`a set ${to} verified before passes as a rollback, even outside the windows and without soak`, async () => {
    const own = pushRecord(
      fixture,
      to,
      { "main-api": `1.3.0@${digest("1")}`, web: `2.0.1@${digest("2")}` },
      "2026-11-20T10:00:00Z",
    );
    pushRecord(fixture, to, set14, "2026-11-30T10:00:00Z");
    fixture.commit({ [`Pulumi.${to}.yaml`]: withEntries(mainApi14, web202) }, "Promote 1.4.0");
    fixture.write(`Pulumi.${to}.yaml`, productionFile);
    clock = "2026-12-05T23:00:00Z"; // a Saturday night
    expect(await gateProduction()).toEqual({
      code: 0,
      stdout: [
        promotion,
        `main-api: passed: 1.3.0@${digest("1")} is in the set ${to} verified in ${own} (2026-11-20 10:00 UTC)`,
        `web: passed: 2.0.1@${digest("2")} is in the set ${to} verified in ${own} (2026-11-20 10:00 UTC)`,
        `rollback: ${to} verified this set together in ${own} (2026-11-20 10:00 UTC); a rollback is allowed at any time, soak and windows do not apply`,
        `gate ${to}: a rollback, 2 changed apps passed`,
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  test("a digest that only sat in an intermediate commit of a rebase-merged pull request is refused", async () => {
    // The laundering: a pull request's first commit pins web to X, which nobody gated or
    // deployed; its second puts web back. "Rebase and merge" lands both on main's first-parent
    // history. Later, a pull request pins X again: the old gate took it as "a version production
    // ran before".
    const laundered = `web: { tag: 2.0.9, digest: ${digest("9")} }`;
    fixture.commit(
      { [`Pulumi.${to}.yaml`]: withEntries(`tag: "1.3.0"\n      digest: ${digest("1")}`, laundered) },
      "WIP: web 2.0.9",
    );
    fixture.commit({ [`Pulumi.${to}.yaml`]: productionFile }, "Put web back");
    pushRecord(
      fixture,
      to,
      { "main-api": `1.3.0@${digest("1")}`, web: `2.0.1@${digest("2")}` },
      "2026-11-30T10:00:00Z",
    );
    pushRecord(fixture, from, set14, "2026-12-01T08:00:00Z");
    fixture.write(`Pulumi.${to}.yaml`, withEntries(`tag: "1.3.0"\n      digest: ${digest("1")}`, laundered));
    const run = await gateProduction();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `web: failed: 2.0.9@${digest("9")} is in no verification record of ${from}; copy it with: platform promote ${from} ${to}\n`,
    );
    expect(run.stdout).not.toContain("rollback");
  });

  test("a record written by anyone but the deploy workflow (a tag only in the clone) is ignored, with a warning", async () => {
    pushRecord(fixture, from, set14, "2026-12-01T08:00:00Z");
    fixture.git(["fetch", "--quiet", "origin", "+refs/tags/*:refs/tags/*"]);
    // A forged record of production's, made in the clone: it would make this a "rollback".
    const forged = { "main-api": `1.4.0@${digest("a")}`, web: `2.0.9@${digest("9")}` };
    const tmp = createGitFixture();
    const name = pushRecord(tmp, to, forged, "2026-11-01T10:00:00Z");
    const message = tmp.git(["tag", "-l", "--format=%(contents)", name], tmp.origin);
    tmp.cleanup();
    const head = fixture.git(["rev-parse", "HEAD"]);
    const forgedName = name.replace(/-[0-9a-f]{7}$/, `-${head.slice(0, 7)}`);
    fixture.git([
      "-c",
      "user.name=x",
      "-c",
      "user.email=x@x",
      "tag",
      "-a",
      "-m",
      message.replace(/commit: [0-9a-f]{40}/, `commit: ${head}`),
      forgedName,
      head,
    ]);
    fixture.write(`Pulumi.${to}.yaml`, withEntries(mainApi14, `web: { tag: 2.0.9, digest: ${digest("9")} }`));
    const run = await gateProduction();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `warning: ${forgedName}: ignored: this tag is not on origin as it is here; only records the deploy workflow pushed count\n`,
    );
    expect(run.stdout).toContain(`web: failed: 2.0.9@${digest("9")} is in no verification record of ${from}`);
  });

  test("a malformed record on origin is ignored with a warning", async () => {
    const bad = pushRecord(fixture, from, { ...set14, web: "2.0.2@sha256:12" }, "2026-12-01T08:00:00Z");
    const head = fixture.git(["rev-parse", "main"], fixture.origin);
    const unknown = pushRecord(fixture, from, set14, "2026-12-01T08:10:00Z", {
      message: `platform verification record\n\nenvironment: ${from}\ncommit: ${head}\nverified-at: 2026-12-01T08:10:00.000Z\nrun: https://github.test/run\nimages:\n  main-api: 1.4.0@${digest("a")}\n  web: 2.0.2@${digest("b")}\n  old-app: 1.0.0@${digest("d")}\n`,
    });
    fixture.write(`Pulumi.${to}.yaml`, withEntries(mainApi14, web202));
    const run = await gateProduction();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `warning: ${bad}: ignored: images.web: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars)\n`,
    );
    expect(run.stderr).toContain(
      `warning: ${unknown}: ignored: images.old-app: 'old-app' is not an app of this platform (main-api, web, customer-api)\n`,
    );
  });
});

test("a change that leaves the stack file alone is no promotion: nothing to gate", async () => {
  fixture.write("README.md", "changed\n");
  expect(await gate(to, "--base", "main")).toEqual({
    code: 0,
    stdout: `gate ${to}: Pulumi.${to}.yaml does not change between main and the working tree: not a promotion, nothing to gate (the ordinary review applies)\n`,
    stderr: "",
  });
});

test("a stack file whose comments alone change: a promotion with nothing to check", async () => {
  fixture.write(`Pulumi.${to}.yaml`, `# reviewed\n${fixture.read(`Pulumi.${to}.yaml`)}`);
  expect((await gate(to, "--base", "main")).stdout).toBe(
    `${promotion}\ngate ${to}: no image changes between main and the working tree; nothing to check\n`,
  );
});

describe("what is not a promotion fails, saying why", () => {
  test("re-targeting the provider beside an image change", async () => {
    pushRecord(
      fixture,
      from,
      { "main-api": `1.4.0@${digest("a")}`, web: `2.0.1@${digest("2")}` },
      "2026-12-01T08:00:00Z",
    );
    fixture.write(
      `Pulumi.${to}.yaml`,
      withEntries(mainApi14, web201).replace("config:\n", "config:\n  azure-native:subscriptionId: 0000\n"),
    );
    const run = await gateProduction();
    expect([run.code, run.stderr]).toEqual([1, `error: gate ${to}: not a promotion\n`]);
    expect(run.stdout).toContain(`  - Pulumi.${to}.yaml: azure-native:subscriptionId is added\n`);
  });

  test("removing an app, unless --allow-removal says so in the output", async () => {
    const removed = fixture.read(`Pulumi.${to}.yaml`).replace(`    ${web201}\n`, "");
    fixture.write(`Pulumi.${to}.yaml`, removed);
    pushRecord(fixture, from, { "main-api": `1.3.0@${digest("1")}` }, "2026-12-01T08:00:00Z");
    const refused = await gateProduction();
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      "  - removes web (a promotion may remove an app only with --allow-removal)\n",
    );
    const allowed = await gateProduction("--allow-removal");
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain(`web: passed: removed from ${to}, nothing to deploy\n`);
  });
});

test(`in ${first} every changed entry needs a digest too`, async () => {
  fixture.write(`Pulumi.${first}.yaml`, acceptanceFile.replace("tag: 2.0.1", "tag: 2.0.2"));
  expect(await gate(first, "--base", "main")).toEqual({
    code: 1,
    stdout: `gate ${first}: a promotion: only image versions in Pulumi.${first}.yaml change\nweb: failed: 2.0.2 has no digest; a gated change must pin tag@digest\n`,
    stderr: `error: gate ${first}: 1 check failed (web)\n`,
  });
});

test("bad input: an unknown base ref, a bad clock, a bad --pr", async () => {
  expect(await gate(to, "--base", "origin/mian")).toEqual({
    code: 2,
    stdout: "",
    stderr:
      "error: unknown git ref 'origin/mian'; pass a branch, tag or commit of this repository (in CI, fetch it first: git fetch origin <branch>)\n",
  });
  clock = "tomorrow";
  expect((await gateProduction()).stderr).toBe(
    "error: PLATFORM_NOW: 'tomorrow' is not an ISO 8601 time with a zone (such as 2026-12-01T10:00:00Z); unset it for the system clock\n",
  );
  clock = inWindow;
  expect(await gateProduction("--pr", "x")).toEqual({
    code: 2,
    stdout: "",
    stderr: "error: --pr: 'x' is not a pull request number\n",
  });
});

test("an invalid stack file in the working tree", async () => {
  fixture.write(
    `Pulumi.${to}.yaml`,
    "config:\n  platform:images:\n    web: { tag: 1.0.0, digest: sha256:12 }\n",
  );
  expect(await gateProduction()).toEqual({
    code: 2,
    stdout: "",
    stderr: `error: Pulumi.${to}.yaml is not valid:\n  - platform:images.web.digest: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars) (line 3)\n`,
  });
});

test("a stack file new since the base: not a promotion, and every entry is checked", async () => {
  fixture.cleanup();
  fixture = createGitFixture({ [`Pulumi.${from}.yaml`]: acceptanceFile });
  fixture.write(`Pulumi.${to}.yaml`, productionFile);
  const record = pushRecord(fixture, from, { "main-api": `1.3.0@${digest("1")}` }, "2026-12-01T08:00:00Z");
  const run = await gate(to, "--base", "main");
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(
    `gate ${to}: not a promotion:\n  - Pulumi.${to}.yaml is new: a new environment is not a promotion\nA promotion pull request changes image versions in the stack file and nothing else. Anything else takes the ordinary review path: its own pull request, reviewed by the code owners.\nmain-api: passed: 1.3.0@${digest("1")} was verified by ${from} in ${record} (2026-12-01 08:00 UTC)\nweb: failed: 2.0.1@${digest("2")} is in no verification record of ${from}; copy it with: platform promote ${from} ${to}\n`,
  );
});

describe("the base's stack file names an app the catalog no longer has (removed from apps/catalog.ts)", () => {
  const retired = `    billing-api: { tag: 3.1.0, digest: "${digest("9")}" }\n`;
  beforeEach(() => {
    // The base: production ran billing-api; the pull request removes it from catalog and stack file.
    fixture.commit(
      {
        [`Pulumi.${to}.yaml`]: productionFile.replace(
          "  azure-native:clientSecret",
          `${retired}\n  azure-native:clientSecret`,
        ),
      },
      "Production runs billing-api",
    );
    fixture.write(`Pulumi.${to}.yaml`, productionFile);
  });

  test("the removal is reported, and refused without --allow-removal (no 'unknown app' exit 2)", async () => {
    expect(await gateProduction()).toEqual({
      code: 1,
      stdout: [
        `gate ${to}: not a promotion:`,
        "  - removes billing-api (a promotion may remove an app only with --allow-removal)",
        "A promotion pull request changes image versions in the stack file and nothing else. Anything else takes the ordinary review path: its own pull request, reviewed by the code owners.",
        "billing-api: passed: removed from the catalog (apps/catalog.ts), nothing to deploy",
        "",
      ].join("\n"),
      stderr: `error: gate ${to}: not a promotion\n`,
    });
  });

  test("with --allow-removal it passes, naming the app", async () => {
    expect(await gate(to, "--base", "main", "--allow-removal")).toEqual({
      code: 0,
      stdout: [
        `gate ${to}: a promotion: only image versions in Pulumi.${to}.yaml change`,
        `gate ${to}: removal of billing-api allowed by --allow-removal`,
        "billing-api: passed: removed from the catalog (apps/catalog.ts), nothing to deploy",
        `gate ${to}: 1 changed app passed`,
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  test("a bad entry of an app the catalog still has is still refused at the base", async () => {
    fixture.commit(
      {
        [`Pulumi.${to}.yaml`]: productionFile
          .replace(`digest: "${digest("2")}"`, 'digest: "sha256:12"')
          .replace("  azure-native:clientSecret", `${retired}\n  azure-native:clientSecret`),
      },
      "A bad web digest",
    );
    const run = await gateProduction();
    expect([run.code, run.stderr]).toEqual([
      2,
      `error: Pulumi.${to}.yaml at main is not valid:\n  - platform:images.web.digest: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars) (line 8)\n`,
    ]);
  });
});

test("an app the base names whose persistent names an app of the catalog keeps: reported as a rename", async () => {
  // The base ran customer-app; the pull request renames it (the catalog's customer-api keeps its names).
  fixture.commit(
    {
      [`Pulumi.${to}.yaml`]: productionFile.replace(
        "  azure-native:clientSecret",
        `    customer-app: { tag: 0.9.3, digest: "${digest("9")}" }\n  azure-native:clientSecret`,
      ),
    },
    "Production runs customer-app",
  );
  fixture.write(`Pulumi.${to}.yaml`, productionFile);
  const { stdout } = await gate(to, "--base", "main", "--allow-removal");
  expect(stdout).toContain(
    "customer-app: passed: customer-app renamed to customer-api, which keeps its database, identity, image repository and cluster name (apps/customer-api/app.ts: persistent)\n",
  );
});
