import { createGitFixture, digest, productionFile, type GitFixture } from "../../test/git-fixture";
import { startGitHubServer, type GitHubServer, type ServedReview } from "../../test/github-server";
import { upstreamOf } from "../../test/pipeline-names";
import { pushRecord } from "../../test/records";
import { gitHubEnv, runCli } from "../../test/run-cli";

// Break-glass read through GitHub's API as the gate reads it (GET /pulls/:n, /pulls/:n/reviews,
// /collaborators/:user/permission), from the fake server's real JSON shapes.
let fixture: GitFixture;
let server: GitHubServer;
const head = "c0ffee".padEnd(40, "0");
const saturdayNight = "2026-12-05T23:00:00Z"; // Sunday 00:00 in Amsterdam: outside production's windows
beforeEach(async () => {
  fixture = createGitFixture();
  server = await startGitHubServer({});
  // Production's upstream verified the set at 20:00; production requires 60 min of soak: it has soaked.
  pushRecord(
    fixture,
    upstreamOf("production"),
    { "main-api": `1.4.0@${digest("a")}`, web: `2.0.2@${digest("b")}` },
    "2026-12-05T20:00:00Z",
  );
  fixture.write(
    "Pulumi.production.yaml",
    productionFile
      .replace(
        `tag: "1.3.0"   # promoted by CI\n      digest: ${digest("1")}`,
        `tag: "1.4.0"\n      digest: ${digest("a")}`,
      )
      .replace(
        `web: { tag: 2.0.1, digest: "${digest("2")}" }`,
        `web: { tag: 2.0.2, digest: ${digest("b")} }`,
      ),
  );
  Object.assign(server.permissions, { alice: "write", bob: "admin", carol: "read", dave: "write" });
});
afterEach(async () => {
  await server.close();
  fixture.cleanup();
});

const pullWith = (reviews: ServedReview[], labels = ["promotion:break-glass"]) =>
  server.pulls.push({
    number: 12,
    head: "promote/production/all",
    base: "main",
    title: "Promote to production",
    body: "",
    state: "open",
    html_url: "https://github.test/acme/platform/pull/12",
    head_sha: head,
    labels,
    author: "dave",
    reviews,
  });
const gate = () =>
  runCli(["gate", "production", "--base", "main", "--pr", "12"], fixture.clone, {
    ...fixture.env,
    ...gitHubEnv(server),
    PLATFORM_NOW: saturdayNight,
  });
const approve = (user: string, commitId = head): ServedReview => ({ user, state: "APPROVED", commitId });

test("two different people with write access approving the head commit lift the window", async () => {
  pullWith([approve("alice"), { user: "alice", state: "COMMENTED", commitId: head }, approve("bob")]);
  const run = await gate();
  expect([run.code, run.stderr]).toEqual([0, ""]);
  expect(run.stdout).toContain(
    "break-glass: in effect (approved by alice and bob, who have write access): soak, windows and freezes are lifted\n",
  );
  expect(run.stdout).toContain(
    "window: outside the promotion windows (Monday-Thursday 09:00-16:00, Friday 09:00-12:00 Europe/Amsterdam); lifted by promotion:break-glass\n",
  );
  // The gate asked GitHub for exactly the approvers' permissions.
  expect(
    server.requests.filter((request) => request.path.includes("/collaborators/")).map((r) => r.path),
  ).toEqual([
    "/repos/acme/platform/collaborators/alice/permission",
    "/repos/acme/platform/collaborators/bob/permission",
  ]);
});

test("one approver is not enough", async () => {
  pullWith([approve("alice")]);
  const run = await gate();
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(
    `break-glass: not in effect: pull request #12 needs approvals of its head commit c0ffee0 by 2 different people with write access other than its author, and has 1 (alice)\n`,
  );
  expect(run.stderr).toBe("error: gate production: 1 check failed (window)\n");
});

test("the author approving does not count (GitHub itself refuses it; an admin's API call could try)", async () => {
  pullWith([approve("alice"), approve("dave")]);
  const run = await gate();
  expect(run.code).toBe(1);
  expect(run.stdout).toContain("and has 1 (alice); the author's (dave) own approval does not count\n");
});

test("an approver without write access, an approval of an older commit, and a later request for changes do not count", async () => {
  pullWith([
    approve("carol"),
    approve("bob", "0ld".padEnd(40, "0")),
    approve("alice"),
    { user: "alice", state: "CHANGES_REQUESTED", commitId: head },
  ]);
  const run = await gate();
  expect(run.code).toBe(1);
  expect(run.stdout).toContain("and has 0; carol approved without write access\n");
});

test("without the label, approvals change nothing", async () => {
  pullWith([approve("alice"), approve("bob")], []);
  const run = await gate();
  expect(run.code).toBe(1);
  expect(run.stdout).not.toContain("break-glass: ");
  expect(run.stderr).toBe("error: gate production: 1 check failed (window)\n");
  expect(server.requests.some((request) => request.path.includes("/collaborators/"))).toBe(false);
});
