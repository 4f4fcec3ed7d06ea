import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { digest } from "../test/git-fixture";
import { startGitHubServer } from "../test/github-server";
import { createReleaseHistory, type ReleaseHistory } from "../test/release-history";
import { gitHubEnv, runCli } from "../test/run-cli";
import { deploySkew, describeSkew, programPathspecs } from "./deploy-skew";
import { createGit } from "./git";
import { upstreamOf } from "../test/pipeline-names";

let history: ReleaseHistory;
beforeAll(() => {
  history = createReleaseHistory();
});
afterAll(() => history.fixture.cleanup());

/** Moves origin's `deployed/production` to a commit of the history, as the deploy workflow does. */
const deployedAt = (name: string | undefined) => {
  const { fixture } = history;
  // `git tag --force deployed/production <commit>`, or `git tag -d` when there is one: one git.
  const ref = "refs/tags/deployed/production";
  const update = name === undefined ? ["-d", ref] : [ref, history.commits[name]!];
  fixture.git(["update-ref", ...update], fixture.origin);
};
const skewLines = async () => {
  const git = createGit(history.fixture.clone, history.env);
  return describeSkew(await deploySkew(git, "production", history.commits["promote15"]!));
};
const short = (name: string) => history.commits[name]!.slice(0, 7);

beforeEach(() => deployedAt(undefined));

test("the program paths are production's stack filter without its own stack file", async () => {
  const git = createGit(history.fixture.clone, history.env);
  const specs = await programPathspecs(git, history.commits["promote15"]!, "production");
  expect(specs).toContain(":(top,literal)index.ts");
  expect(specs).toContain(":(top,glob)infra/**");
  expect(
    specs.some((spec) => spec.includes("Pulumi.production.yaml") || spec.includes("Pulumi.acceptance.yaml")),
  ).toBe(false);
});

test("no recorded deploy: says the skew is unknown", async () => {
  expect(await skewLines()).toEqual([
    "production's last deploy is not recorded (no tag deployed/production): the program changes a deploy of production would also ship are unknown",
  ]);
});

test("deployed at main's tip: none", async () => {
  deployedAt("promote15");
  expect(await skewLines()).toEqual([
    `production last deployed ${short("promote15")} (2026-01-06 12:00 UTC); program changes since then: none`,
  ]);
});

test("only stack file and docs commits since the deploy: none", async () => {
  deployedAt("program");
  expect(await skewLines()).toEqual([
    `production last deployed ${short("program")} (2026-01-04 10:00 UTC); program changes since then: none`,
  ]);
});

test("a program commit since the deploy: listed with title and author", async () => {
  deployedAt("promote14");
  expect(await skewLines()).toEqual([
    `production last deployed ${short("promote14")} (2026-01-03 10:00 UTC); program changes since then, which a deploy of production also ships:`,
    `  ${short("program")} Resize the database (Alice)`,
  ]);
});

test("a shallow clone (CI checks out one commit) fetches the history it needs first", async () => {
  deployedAt("promote14");
  const shallow = path.join(history.fixture.root, "shallow");
  history.fixture.git(
    ["clone", "--quiet", "--depth", "1", `file://${history.fixture.origin}`, shallow],
    history.fixture.root,
  );
  const git = createGit(shallow, history.env);
  expect(describeSkew(await deploySkew(git, "production", history.commits["promote15"]!))).toEqual([
    `production last deployed ${short("promote14")} (2026-01-03 10:00 UTC); program changes since then, which a deploy of production also ships:`,
    `  ${short("program")} Resize the database (Alice)`,
  ]);
});

test("the promotion pull request's body lists the program commits since production's last deploy", async () => {
  deployedAt("promote14");
  const outputs = path.join(history.fixture.root, "outputs.json");
  writeFileSync(
    outputs,
    JSON.stringify({
      environmentName: upstreamOf("production"),
      images: {
        "main-api": { tag: "1.6.0", digest: digest("d") },
        web: { tag: "2.0.2", digest: digest("b") },
      },
    }),
  );
  const server = await startGitHubServer({ bareRepository: history.fixture.origin });
  try {
    const run = await runCli(
      // Chosen apps: copied from the outputs (every app would read acceptance's verification records).
      [
        "promote",
        upstreamOf("production"),
        "production",
        "--app",
        "main-api",
        "--app",
        "web",
        "--outputs",
        outputs,
        "--pr",
      ],
      history.fixture.clone,
      { ...history.env, ...gitHubEnv(server) },
    );
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const body = server.pulls[0]!.body;
    expect(body.slice(body.indexOf("### "), body.indexOf("<sub>"))).toBe(
      [
        "### Program changes since production's last deploy",
        "",
        `production last deployed \`${short("promote14")}\` (2026-01-03 10:00 UTC). Merging deploys the program as the default branch has it, so this deploy also ships these commits (see \`platform diff production\` in the checks for the resources they change):`,
        "",
        `- \`${short("program")}\` Resize the database (Alice)`,
        "",
        "",
      ].join("\n"),
    );
  } finally {
    await server.close();
    history.fixture.git(["branch", "-D", "promote/production/main-api+web"], history.fixture.origin);
  }
});
