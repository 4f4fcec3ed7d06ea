/**
 * `platform page` as a person sees it: the page written from a synthetic history is opened in a
 * real headless Chromium (Debian's `chromium`, which .ci/run installs), its DOM read, a
 * screenshot saved under test-output/ and axe-core run over it. One browser launch for the file.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createDeliveryHistory, type DeliveryHistoryFixture } from "../../test/delivery-history";
import { createGitFixture } from "../../test/git-fixture";
import { runCli } from "../../test/run-cli";

/** What the checks read of a DOM element (the type-check has no DOM library). */
interface Node {
  readonly tagName: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): Node | null;
  querySelectorAll(selector: string): ArrayLike<Node>;
}

const chromiumPath = "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
if (!hasChromium)
  console.warn(
    `page.test.ts: the browser test is skipped: ${chromiumPath} is missing (apt-get install -y chromium; .ci/run installs it)`,
  );

let history: DeliveryHistoryFixture;
let out: string;
let html: string;
beforeAll(async () => {
  history = createDeliveryHistory();
  out = path.join(history.fixture.root, "site");
  const run = await runCli(["page", out], history.fixture.clone, history.env);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  expect(run.stdout).toBe(`wrote ${out}/index.html and ${out}/summary.md\n`);
  html = readFileSync(path.join(out, "index.html"), "utf8");
});
afterAll(() => history.fixture.cleanup());

describe("platform page", () => {
  test("writes one self-contained page: no script, no external stylesheet, font or image", () => {
    expect(readdirSync(out).sort()).toEqual(["index.html", "summary.md"]);
    expect(html).not.toMatch(/<script|<iframe|@import|url\(|<img/i);
    // Every src or link element points nowhere outside the page; anchors may link out.
    expect(html.match(/<link [^>]*>/g)).toEqual(['<link rel="icon" href="data:,">']);
    expect(html).not.toMatch(/\ssrc=/);
  });

  test("the job summary shows the pipeline as a Mermaid diagram", () => {
    expect(readFileSync(path.join(out, "summary.md"), "utf8")).toBe(
      [
        "## Pipeline",
        "",
        "```mermaid",
        "flowchart LR",
        '  acceptance["<b>acceptance</b><br/>main-api 1.2.1 verified<br/>web 2.2.0 NOT verified<br/>customer-api 0.1.0 verified"]',
        '  production["<b>production</b><br/>main-api 1.2.1 verified<br/>web 2.0.0 verified<br/>promotions closed"]',
        '  acceptance -->|"web 2.1.0, customer-api 0.1.0"| production',
        "  style acceptance stroke:#b35900,stroke-width:3px",
        "  style production stroke:#116329,stroke-width:2px",
        "```",
        "",
        "The pipeline page, one self-contained file: `index.html` in this run's artifacts.",
        "",
      ].join("\n"),
    );
  });

  (hasChromium ? test : test.skip)(
    "in Chromium: tables, versions and links as the history says, no console error or failed request, no serious axe violation",
    async () => {
      const { chromium } = await import("playwright-core");
      const profile = mkdtempSync(path.join(tmpdir(), "platform-chromium-"));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
        ],
        viewport: { width: 1280, height: 900 },
      });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const problems: string[] = [];
        page.on("console", (message) => {
          if (message.type() === "error") problems.push(`console: ${message.text()}`);
        });
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
        page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));
        page.on("request", (request) => {
          if (!/^(file|data):/.test(request.url())) problems.push(`external request: ${request.url()}`);
        });
        await page.goto(`file://${path.join(out, "index.html")}`, { waitUntil: "load" });

        const cells = (table: string) =>
          page.$$eval(`#${table} tbody tr`, (rows: Node[]) =>
            rows.map((row) =>
              Array.from(row.querySelectorAll("th, td")).map((cell) => cell.textContent!.trim()),
            ),
          );
        expect(
          await page.$$eval("h1, h2", (heads: Node[]) =>
            heads.map((head) => `${head.tagName} ${head.textContent}`),
          ),
        ).toEqual([
          "H1 Pipeline: acceptance → production",
          "H2 Pipeline",
          "H2 Pending promotions",
          "H2 Last 14 deploys and rollbacks",
          "H2 Delivery metrics",
        ]);
        expect(await cells("versions-table")).toEqual([
          ["main-api", "1.2.1 verified soaked", "1.2.1@sha256:cccccccccccc verified"],
          ["web", "2.2.0 not verified", "2.0.0@sha256:222222222222 verified"],
          ["customer-api", "0.1.0 verified soaked", "not deployed"],
        ]);
        expect(await cells("pending-table")).toEqual([
          [
            "web",
            "acceptance",
            "production",
            "2.1.0@sha256:bbbbbbbbbbbb",
            "2.0.0@sha256:222222222222",
            "2026-01-08 09:20",
            "soaked",
          ],
          [
            "customer-api",
            "acceptance",
            "production",
            "0.1.0@sha256:ffffffffffff",
            "not deployed",
            "2026-01-14 09:10",
            "soaked",
          ],
        ]);
        const deploys = await cells("deploys-table");
        expect(deploys.slice(0, 3)).toEqual([
          ["2026-01-20 10:00", "acceptance", "web", "2.2.0", "release", "#9", "pending", "-"],
          [
            "2026-01-14 09:00",
            "acceptance",
            "customer-api",
            "0.1.0",
            "other",
            expect.stringMatching(/^[0-9a-f]{7}$/),
            "verified",
            "run",
          ],
          [
            "2026-01-13 10:00",
            "production",
            "main-api",
            "1.2.1@sha256:cccccccccccc",
            "promotion",
            "#8",
            "verified",
            "run",
          ],
        ]);
        expect(deploys.find((row) => row[5] === "#6")).toEqual([
          "2026-01-12 09:30",
          "acceptance",
          "main-api",
          "1.2.0",
          "release",
          "#6",
          "failed: no record",
          "-",
        ]);
        expect(deploys.find((row) => row[5] === "#4")?.[6]).toBe("verified, rolled back");
        const links = await page.$$eval("#deploys-table a", (anchors: Node[]) =>
          anchors.slice(0, 3).map((anchor) => [anchor.textContent, anchor.getAttribute("href")]),
        );
        expect(links).toEqual([
          ["#9", "https://github.test/acme/platform/pull/9"],
          ["run", "https://github.test/acme/platform/actions/runs/109"],
          ["#8", "https://github.test/acme/platform/pull/8"],
        ]);
        // Every chart is an image with a text alternative; the same data is a table.
        expect(
          await page.$$eval("svg", (svgs: Node[]) =>
            svgs.map((svg) => [svg.getAttribute("role"), svg.querySelector("title")?.textContent]),
          ),
        ).toEqual([
          ["img", "The pipeline, environments in promotion order"],
          ["img", "Verified deploys a week"],
          ["img", "Median lead time from release"],
          ["img", "Change failure rate"],
          ["img", "Median time to restore"],
        ]);
        expect(
          (await cells("metrics-table")).find((row) => row[0] === "web" && row[1] === "production"),
        ).toEqual([
          "web",
          "production",
          "3 (1.1 a week)",
          "2 h 45 min (deploy 35 min, soak 1 h 40 min, promotion 30 min) of 1",
          "33% (1 of 3)",
          "1 h 40 min of 1",
        ]);

        mkdirSync(path.join(__dirname, "..", "..", "test-output"), { recursive: true });
        await page.screenshot({
          path: path.join(__dirname, "..", "..", "test-output", "pipeline-page.png"),
          fullPage: true,
        });

        await page.addScriptTag({ content: readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") });
        const violations = await page.evaluate(async () => {
          const result = await (
            globalThis as unknown as {
              axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
            }
          ).axe.run();
          return result.violations.map((violation) => ({
            id: violation.id,
            impact: violation.impact,
            nodes: violation.nodes.length,
          }));
        });
        expect(
          violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical"),
        ).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    },
  );

  test("a directory that is a file fails with exit 2 and writes nothing", async () => {
    const file = path.join(history.fixture.root, "taken");
    writeFileSync(file, "mine\n");
    const run = await runCli(["page", file], history.fixture.clone, history.env);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: <dir>: '${file}' is a file, not a directory; give a directory (it is created if absent)\n`,
    });
    expect(readFileSync(file, "utf8")).toBe("mine\n");
  });

  test.each([
    [
      "not a date",
      "2026-13-01",
      "--since: '2026-13-01' is not a date; give YYYY-MM-DD (UTC) or an ISO 8601 time with a zone, such as 2026-11-01T09:00:00Z",
    ],
    [
      "in the future",
      "2026-02-01T00:00:00Z",
      "--since: 2026-02-01T00:00:00Z is in the future (now is 2026-01-21T00:00:00.000Z); give a date in the past",
    ],
  ])("--since %s fails with exit 2 and creates no directory", async (_, since, message) => {
    const dir = path.join(history.fixture.root, "never");
    const run = await runCli(["page", dir, "--since", since], history.fixture.clone, history.env);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 2, stderr: `error: ${message}\n` });
    expect(existsSync(dir)).toBe(false);
  });

  test("a history without any record: the page says so, every figure is zero", async () => {
    const bare = createGitFixture();
    try {
      const dir = path.join(bare.root, "site");
      const env = { ...bare.env, PLATFORM_NOW: "2026-12-06T09:00:00Z" };
      const run = await runCli(["page", dir], bare.clone, env);
      expect(run.code).toBe(0);
      const text = readFileSync(path.join(dir, "index.html"), "utf8");
      expect(text).toContain("Latest verification record: none yet");
      expect(text).toContain(
        "acceptance: no verification record yet (the deploy workflow writes one per verified deploy), so no deploy of acceptance is counted; 2 change(s) of its stack file are listed as unrecorded",
      );
      const metrics = await runCli(["metrics"], bare.clone, env);
      expect(metrics.code).toBe(0);
      expect(metrics.stdout).toContain(
        "main-api in production\n  deploy frequency: 0 verified deploy(s) in 0 week(s)\n",
      );
    } finally {
      bare.cleanup();
    }
  });
});
