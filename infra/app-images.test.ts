import type { World } from "../engine/mock-engine";
import { projectWorld } from "../engine/world";
import { root, runIsolated, stackConfig } from "../test/program";

const server = "contosoplatformacr.azurecr.io";
const digest = `sha256:${"a".repeat(64)}`;
const config = {
  ...stackConfig("production"),
  "platform:images": JSON.stringify({ web: { tag: "2.0.1", digest } }),
};
/** After docs/deploying.md's first-deploy steps: `az acr login`, the token file, web:2.0.1 pushed. */
const world: World = projectWorld(root, config);
const token = world.registryTokens![server]!;

/** Looks web:2.0.1 up through a docker provider with `registryAuth`, as AppImages does. */
const lookUp = (
  registryAuth: { address: string; username?: string; password?: string; configFile?: string }[],
  inWorld: World = world,
) =>
  runIsolated(
    async () => {
      const docker = await import("@pulumi/docker");
      const provider = new docker.Provider("reader", { disableDockerDaemonCheck: true, registryAuth });
      const found = await docker.getRegistryImage({ name: `${server}/web:2.0.1` }, { provider });
      return { digest: found.sha256Digest };
    },
    { stack: "production", world: inWorld },
  );

const refused =
  "Got error when attempting to fetch image version web:2.0.1 from registry: got bad response from registry: 401 Unauthorized";

describe("the registry lookup's fake refuses what docker's provider and ACR refuse", () => {
  test("an address-only registryAuth fails with 401 even after az acr login: the provider drops its identitytoken", async () => {
    expect(world.registryLogins).toEqual([server]);
    await expect(lookUp([{ address: server }])).rejects.toThrow(refused);
  });

  test("an address-only registryAuth without any login fails the same way (anonymous pull is off)", async () => {
    await expect(lookUp([{ address: server }], { ...world, registryLogins: [] })).rejects.toThrow(refused);
  });

  test("the null user with the registry's token, given directly or in a config file, reads the digest", async () => {
    const direct = await lookUp([
      { address: server, username: "00000000-0000-0000-0000-000000000000", password: token },
    ]);
    expect(direct.outputs["digest"]).toBe(digest);
    const file = await lookUp([{ address: server, configFile: "~/.docker/platform-registry-reader.json" }]);
    expect(file.outputs["digest"]).toBe(digest);
  });

  test("another user name, or a token the registry did not issue, is refused", async () => {
    await expect(lookUp([{ address: server, username: "deployer", password: token }])).rejects.toThrow(
      refused,
    );
    await expect(
      lookUp([{ address: server, username: "00000000-0000-0000-0000-000000000000", password: "stale" }]),
    ).rejects.toThrow(refused);
  });
});
