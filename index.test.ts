import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { runPlan } from "./cli/program-runs";
import { environments } from "./environments/environments";
import { isSecret, type ProgramRun, type World } from "./engine/mock-engine";
import { projectWorld } from "./engine/world";
import { ofType, only, root, runStack, stackConfig } from "./test/program";
import { projectCopy } from "./test/project-copy";
import { upstreamOf } from "./test/pipeline-names";

const acrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const registryId =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-platform-shared/providers/Microsoft.ContainerRegistry/registries/contosoplatformacr";
const digest = (char: string) => `sha256:${char.repeat(64)}`;
/** Production after a promotion: every app pinned to what acceptance ran. */
const promoted = {
  "main-api": { tag: "1.4.0", digest: digest("a") },
  web: { tag: "2.0.1", digest: digest("b") },
  "customer-api": { tag: "0.9.3", digest: digest("c") },
};
const productionConfig = (images: object = promoted) => ({
  ...stackConfig("production"),
  "platform:images": JSON.stringify(images),
});
const runs: Record<string, ProgramRun> = {};

/**
 * Runs the program in a process of its own, as `platform plan` does: a program that fails
 * inside an output rejects promises nobody awaits, which would end a test process.
 */
const planIn = (stack: string, config: Record<string, string>, world: World, preview = false) =>
  runPlan({ dir: root, stack, config, world, preview, timeoutSeconds: 120 });

beforeAll(async () => {
  runs["acceptance"] = await runStack("acceptance");
  // The registry holds the promoted digests (projectWorld seeds what the config pins).
  runs["production"] = await runStack("production", productionConfig());
});

const run = (stack: string): ProgramRun => runs[stack]!;
const inputs = (stack: string, type: string, name?: string) =>
  only(run(stack), type, name).inputs as Record<string, any>;

describe.each(["acceptance", "production"])("%s network", (stack) => {
  const space = stack === "acceptance" ? "10.10" : "10.20";

  test("deploys into the resource group the bootstrap stack made: a /16 with nodes, MySQL and private-endpoint subnets", () => {
    // The deploy identity is Contributor on that group only; it creates no resource group.
    expect(ofType(run(stack), "azure-native:resources:ResourceGroup")).toEqual([]);
    expect(inputs(stack, "azure-native:network:VirtualNetwork").resourceGroupName).toBe(
      `rg-platform-${stack}`,
    );
    expect(inputs(stack, "azure-native:network:VirtualNetwork").addressSpace).toEqual({
      addressPrefixes: [`${space}.0.0/16`],
    });
    expect(inputs(stack, "azure-native:network:Subnet", "network-nodes").addressPrefix).toBe(
      `${space}.0.0/22`,
    );
    const mysql = inputs(stack, "azure-native:network:Subnet", "network-mysql");
    expect(mysql.addressPrefix).toBe(`${space}.4.0/27`);
    expect(mysql.delegations).toEqual([
      { name: "mysql-flexible", serviceName: "Microsoft.DBforMySQL/flexibleServers" },
    ]);
    expect(inputs(stack, "azure-native:network:Subnet", "network-private-endpoints").addressPrefix).toBe(
      `${space}.5.0/27`,
    );
  });
});

describe.each(["acceptance", "production"])("%s network security groups", (stack) => {
  const space = stack === "acceptance" ? "10.10" : "10.20";
  const rules = (name: string) =>
    (
      inputs(stack, "azure-native:network:NetworkSecurityGroup", name).securityRules as Record<
        string,
        unknown
      >[]
    ).map((rule) => [
      rule["name"],
      rule["priority"],
      rule["access"],
      rule["protocol"],
      rule["sourceAddressPrefix"],
      rule["destinationAddressPrefix"],
      rule["destinationPortRanges"] ?? rule["destinationPortRange"],
    ]);

  test("every subnet has its own group, associated through the subnet", () => {
    for (const subnet of ["nodes", "mysql", "private-endpoints"]) {
      expect(inputs(stack, "azure-native:network:Subnet", `network-${subnet}`).networkSecurityGroup).toEqual({
        id: `azure-native:network:NetworkSecurityGroup/network-${subnet}-nsg`,
      });
    }
    expect(ofType(run(stack), "azure-native:network:NetworkSecurityGroup")).toHaveLength(3);
  });

  test("the nodes take web traffic from the internet and keep Azure's defaults for everything AKS needs", () => {
    // No deny rule: traffic within the virtual network and from AzureLoadBalancer stays allowed.
    expect(rules("network-nodes-nsg")).toEqual([
      ["allow-ingress-http-https", 100, "Allow", "Tcp", "Internet", "*", ["80", "443"]],
    ]);
  });

  test("MySQL takes 3306 from the nodes and its own subnet (HA), nothing else from the network", () => {
    expect(rules("network-mysql-nsg")).toEqual([
      ["allow-mysql-from-nodes", 100, "Allow", "Tcp", `${space}.0.0/22`, `${space}.4.0/27`, ["3306"]],
      ["allow-within-subnet", 110, "Allow", "*", `${space}.4.0/27`, `${space}.4.0/27`, "*"],
      ["deny-other-vnet-inbound", 4000, "Deny", "*", "VirtualNetwork", "*", "*"],
    ]);
  });

  test("the private endpoints take Redis's TLS port and the registry's HTTPS from the nodes, nothing else from the network", () => {
    expect(rules("network-private-endpoints-nsg")).toEqual([
      ["allow-redis-from-nodes", 100, "Allow", "Tcp", `${space}.0.0/22`, `${space}.5.0/27`, ["10000"]],
      ["allow-registry-from-nodes", 110, "Allow", "Tcp", `${space}.0.0/22`, `${space}.5.0/27`, ["443"]],
      ["deny-other-vnet-inbound", 4000, "Deny", "*", "VirtualNetwork", "*", "*"],
    ]);
  });
});

describe("AKS", () => {
  const cluster = (stack: string) => inputs(stack, "azure-native:containerservice:ManagedCluster");

  test.each([
    ["acceptance", "Free", undefined, true, "stable"],
    ["production", "Standard", ["1", "2", "3"], true, "stable"],
  ])(
    "%s: tier %s, zones %j, local accounts disabled: %s, upgrade channel %s",
    (stack, tier, zones, noLocal, channel) => {
      const args = cluster(stack);
      expect(args.sku).toEqual({ name: "Base", tier });
      expect(args.agentPoolProfiles[0].availabilityZones).toEqual(zones);
      expect(args.disableLocalAccounts).toBe(noLocal);
      expect(args.autoUpgradeProfile).toEqual({ upgradeChannel: channel, nodeOSUpgradeChannel: "NodeImage" });
      expect(inputs(stack, "azure-native:containerservice:AgentPool").availabilityZones).toEqual(zones);
    },
  );

  test.each(["acceptance", "production"])(
    "%s: overlay CNI with Cilium, OIDC, workload identity, Entra ID RBAC, app routing, monitoring",
    (stack) => {
      const args = cluster(stack);
      expect(args.resourceName).toBe(`aks-platform-${stack}`);
      expect(args.networkProfile).toMatchObject({
        networkPlugin: "azure",
        networkPluginMode: "overlay",
        networkDataplane: "cilium",
        networkPolicy: "cilium",
      });
      expect(args.oidcIssuerProfile).toEqual({ enabled: true });
      expect(args.enableRBAC).toBe(true);
      expect(args.aadProfile).toEqual({ managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [] });
      expect(args.ingressProfile).toEqual({ webAppRouting: { enabled: true } });
      expect(args.addonProfiles.omsagent).toEqual({
        enabled: true,
        config: {
          logAnalyticsWorkspaceResourceID: "azure-native:operationalinsights:Workspace/monitoring-logs",
          useAADAuth: "true",
        },
      });
      expect(args.identity.type).toBe("UserAssigned");
    },
  );

  test.each(["acceptance", "production"])(
    "%s: the API server takes calls only from the settings' ranges, and only from Entra ID identities",
    (stack) => {
      const args = cluster(stack);
      expect(args.apiServerAccessProfile).toEqual({
        authorizedIPRanges: [...environments[stack as "acceptance"].cluster.authorizedIpRanges],
      });
      expect(args.apiServerAccessProfile.authorizedIPRanges.length).toBeGreaterThan(0);
      expect(args.disableLocalAccounts).toBe(true);
      expect(args.aadProfile).toMatchObject({ managed: true, enableAzureRBAC: true });
      // Egress through the load balancer, whose address AKS authorizes itself (docs/decisions/0012).
      expect(args.networkProfile.outboundType).toBe("loadBalancer");
    },
  );

  test.each(["acceptance", "production"])(
    "%s: Azure Policy add-on, Defender reporting to the workspace, image cleaner, workload identity",
    (stack) => {
      const args = cluster(stack);
      const workspace = "azure-native:operationalinsights:Workspace/monitoring-logs";
      expect(args.addonProfiles.azurepolicy).toEqual({ enabled: true });
      expect(args.securityProfile).toEqual({
        workloadIdentity: { enabled: true },
        defender: { logAnalyticsWorkspaceResourceId: workspace, securityMonitoring: { enabled: true } },
        imageCleaner: { enabled: true, intervalHours: 168 },
      });
    },
  );

  test.each(["acceptance", "production"])(
    "%s: the control plane's audit (without reads), Entra ID and API server logs reach the workspace",
    (stack) => {
      expect(
        only(run(stack), "azure-native:monitor:DiagnosticSetting", "aks-control-plane-logs").inputs,
      ).toEqual({
        resourceUri: "azure-native:containerservice:ManagedCluster/aks-cluster",
        workspaceId: "azure-native:operationalinsights:Workspace/monitoring-logs",
        logAnalyticsDestinationType: "Dedicated",
        logs: [
          { category: "kube-audit-admin", enabled: true },
          { category: "guard", enabled: true },
          { category: "kube-apiserver", enabled: true },
        ],
      });
    },
  );

  test.each(["acceptance", "production"])(
    "%s: keeps only the system pool inline and runs the apps on a separate autoscaled pool",
    (stack) => {
      const args = cluster(stack);
      expect(args.agentPoolProfiles).toHaveLength(1);
      expect(args.agentPoolProfiles[0]).toMatchObject({
        name: "system",
        mode: "System",
        nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
      });
      const pool = inputs(stack, "azure-native:containerservice:AgentPool");
      expect(pool).toMatchObject({
        agentPoolName: "workload",
        mode: "User",
        enableAutoScaling: true,
        resourceName: `aks-platform-${stack}`,
      });
    },
  );

  test.each(["acceptance", "production"])(
    "%s: the control plane may manage its subnet before the cluster exists",
    (stack) => {
      const access = only(run(stack), "azure-native:authorization:RoleAssignment", "aks-subnet-access");
      expect(access.inputs).toMatchObject({
        principalType: "ServicePrincipal",
        roleDefinitionId:
          "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7",
        scope: "azure-native:network:Subnet/network-nodes",
      });
      expect(only(run(stack), "azure-native:containerservice:ManagedCluster").dependencies).toContain(
        access.urn,
      );
    },
  );

  test.each(["acceptance", "production"])(
    "%s: the Kubernetes provider carries clusterIdentifier and a secret kubeconfig",
    (stack) => {
      const provider = only(run(stack), "pulumi:providers:kubernetes");
      expect(provider.inputs["clusterIdentifier"]).toBe(
        "azure-native:containerservice:ManagedCluster/aks-cluster",
      );
      expect(isSecret(provider.inputs["kubeconfig"])).toBe(true);
      const kubeconfig = (provider.inputs["kubeconfig"] as { value: string }).value;
      expect(kubeconfig).toBe(`apiVersion: v1\nkind: Config\n# aks-platform-${stack}\n`);
      const credentials = run(stack).invocations.find(
        (call) => call.token === "azure-native:containerservice:listManagedClusterUserCredentials",
      );
      expect(credentials?.inputs).toMatchObject({ format: "exec", resourceName: `aks-platform-${stack}` });
    },
  );
});

describe("container registry (the bootstrap stack's)", () => {
  test.each(["acceptance", "production"])(
    "%s creates no registry and reads the shared one from the bootstrap stack",
    (stack) => {
      expect(ofType(run(stack), "azure-native:containerregistry:Registry")).toEqual([]);
      expect(run(stack).reads).toEqual([
        {
          type: "pulumi:pulumi:StackReference",
          name: "organization/platform-bootstrap/shared",
          id: "organization/platform-bootstrap/shared",
        },
      ]);
      expect(run(stack).outputs["registryLoginServer"]).toBe("contosoplatformacr.azurecr.io");
    },
  );

  test.each(["acceptance", "production"])(
    "%s: AcrPull goes to the cluster's kubelet identity, on the registry only",
    (stack) => {
      expect(
        only(run(stack), "azure-native:authorization:RoleAssignment", "registry-pull-kubelet").inputs,
      ).toEqual({
        principalId: expect.stringMatching(/^kubelet-[0-9a-f]{12}$/) as unknown,
        principalType: "ServicePrincipal",
        roleDefinitionId: `/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/${acrPull}`,
        scope: registryId,
      });
    },
  );

  test.each(["acceptance", "production"])(
    "%s assigns only roles its deploy identity may grant: Network Contributor or AcrPull, to service principals",
    (stack) => {
      const allowed = new Set(["4d97b98b-1d4f-4787-a291-c67834d212e7", acrPull]);
      const assignments = ofType(run(stack), "azure-native:authorization:RoleAssignment");
      expect(assignments.length).toBeGreaterThan(0);
      for (const { name, inputs: args } of assignments) {
        const role = String(args["roleDefinitionId"]).split("/").pop()!;
        expect([name, allowed.has(role), args["principalType"]]).toEqual([name, true, "ServicePrincipal"]);
      }
    },
  );

  test.each(["acceptance", "production"])(
    "%s: the nodes reach the registry through a private endpoint in the environment's network, resolved by privatelink.azurecr.io",
    (stack) => {
      const endpoint = only(run(stack), "azure-native:network:PrivateEndpoint", "registry-pull-endpoint");
      expect(endpoint.inputs).toEqual({
        resourceGroupName: `rg-platform-${stack}`,
        location: "westeurope",
        subnet: expect.objectContaining({
          id: "azure-native:network:Subnet/network-private-endpoints",
        }) as unknown,
        privateLinkServiceConnections: [
          { name: "registry", privateLinkServiceId: registryId, groupIds: ["registry"] },
        ],
      });
      expect(
        only(run(stack), "azure-native:privatedns:PrivateZone", "registry-pull-zone").inputs,
      ).toMatchObject({
        privateZoneName: "privatelink.azurecr.io",
        resourceGroupName: `rg-platform-${stack}`,
      });
      expect(
        only(run(stack), "azure-native:privatedns:VirtualNetworkLink", "registry-pull-zone-link").inputs,
      ).toMatchObject({
        virtualNetwork: { id: "azure-native:network:VirtualNetwork/network-vnet" },
        registrationEnabled: false,
      });
      // The zone group writes the login and data endpoints' records into the linked zone.
      expect(
        only(run(stack), "azure-native:network:PrivateDnsZoneGroup", "registry-pull-endpoint-dns").inputs,
      ).toMatchObject({
        privateDnsZoneConfigs: [
          { name: "registry", privateDnsZoneId: "azure-native:privatedns:PrivateZone/registry-pull-zone" },
        ],
      });
    },
  );

  test.each(["acceptance", "production"])(
    "%s: every workload waits for the registry's private endpoint and its DNS records (the nodes pull through it)",
    (stack) => {
      const byUrn = new Map(run(stack).registrations.map((r) => [r.urn, r]));
      // Everything a deployment waits on, directly or through others (its namespace waits on the registry).
      const waitsOn = (urns: readonly string[], seen = new Set<string>()): Set<string> => {
        for (const urn of urns)
          if (!seen.has(urn)) {
            seen.add(urn);
            waitsOn(byUrn.get(urn)?.dependencies ?? [], seen);
          }
        return seen;
      };
      const deployments = ofType(run(stack), "kubernetes:apps/v1:Deployment");
      expect(deployments.length).toBeGreaterThan(0);
      for (const deployment of deployments) {
        const names = [...waitsOn(deployment.dependencies)].map((urn) => byUrn.get(urn)?.name);
        expect([deployment.name, names]).toEqual([
          deployment.name,
          expect.arrayContaining([
            "registry-pull-endpoint",
            "registry-pull-endpoint-dns",
            "registry-pull-zone-link",
          ]),
        ]);
      }
    },
  );

  test("without the bootstrap stack the program stops, saying to run it first", async () => {
    await expect(
      planIn("acceptance", stackConfig("acceptance"), { stacks: {}, registryLogins: [], registryImages: {} }),
    ).rejects.toThrow('unknown stack "organization/platform-bootstrap/shared"');
  });
});

describe("images", () => {
  test("acceptance builds each unpinned app, pushes it to the bootstrap stack's registry, and keeps it on delete", () => {
    const images = ofType(run("acceptance"), "docker-build:index:Image");
    // Each push carries a second tag naming its source (docs/decisions/0030).
    const tags = (reference: string): unknown[] => [
      reference,
      expect.stringMatching(new RegExp(`^${reference.replace(/\./g, "\\.")}--src\\.[0-9a-f]{12}$`)),
    ];
    expect(images.map((image) => [image.name, image.inputs["tags"], image.retainOnDelete])).toEqual([
      ["images-main-api", tags("contosoplatformacr.azurecr.io/main-api:1.4.0"), true],
      ["images-web", tags("contosoplatformacr.azurecr.io/web:2.0.1"), true],
      ["images-customer-api", tags("contosoplatformacr.azurecr.io/customer-api:0.9.3"), true],
    ]);
  });

  describe("release tags are not moved", () => {
    /** The registry after acceptance's first up: every tag each build pushed, at its digest. */
    const pushed = (): Record<string, string> =>
      Object.fromEntries(
        ofType(run("acceptance"), "docker-build:index:Image").flatMap((image) => {
          const app = image.name.replace(/^images-/, "");
          const { digest: pushedDigest } = (
            run("acceptance").outputs["images"] as Record<string, { digest: string }>
          )[app]!;
          return (image.inputs["tags"] as string[]).map((tag) => [tag, pushedDigest]);
        }),
      );
    const webSourceTag = () =>
      (only(run("acceptance"), "docker-build:index:Image", "images-web").inputs["tags"] as string[])[1]!;
    const afterFirstUp = () => ({
      ...projectWorld(root, stackConfig("acceptance")),
      registryImages: pushed(),
    });

    test("the run after a push is a no-op: the stack's own push of the same source is not refused", async () => {
      const again = await planIn("acceptance", stackConfig("acceptance"), afterFirstUp());
      expect(ofType(again, "docker-build:index:Image").map((image) => image.inputs)).toEqual(
        ofType(run("acceptance"), "docker-build:index:Image").map((image) => image.inputs),
      );
    });

    test("a tag the registry holds at another digest (pushed from elsewhere) is refused before the image is declared", async () => {
      const world = {
        ...projectWorld(root, stackConfig("acceptance")),
        registryImages: { "contosoplatformacr.azurecr.io/web:2.0.1": digest("e") },
      };
      const source = webSourceTag().split(":").pop();
      await expect(planIn("acceptance", stackConfig("acceptance"), world, true)).rejects.toThrow(
        `platform:images.web: web:2.0.1 cannot be built: contosoplatformacr.azurecr.io already holds web:2.0.1 at ${digest("e")}, built from another source than this one (web:${source}), and release tags are not moved; release a new version instead: platform release web <version> --pr`,
      );
    });

    test("a change to a folder-built app's sources under the same tag is refused, before anything is pushed", async () => {
      const server = readFileSync(path.join(root, "apps/web/server.mjs"), "utf8");
      const copy = projectCopy({ "apps/web/server.mjs": `${server}\n// a fix without a new tag\n` });
      const registry = pushed();
      const attempt = runPlan({
        dir: copy.dir,
        stack: "acceptance",
        config: stackConfig("acceptance"),
        world: { ...afterFirstUp(), registryImages: registry },
        timeoutSeconds: 120,
      }).finally(() => copy.remove());
      await expect(attempt).rejects.toThrow(
        `platform:images.web: web:2.0.1 cannot be built: contosoplatformacr.azurecr.io already holds web:2.0.1 at ${registry["contosoplatformacr.azurecr.io/web:2.0.1"]}, built from another source`,
      );
      // The refusal is the image's `tags` input: the engine never receives the build to push.
      await expect(attempt).rejects.toThrow('error serializing property "tags": platform:images.web:');
    });

    test("a change the build ignores (the catalog entry, in .dockerignore) is no new source", async () => {
      const definition = readFileSync(path.join(root, "apps/web/app.ts"), "utf8");
      const copy = projectCopy({ "apps/web/app.ts": `${definition}\n// catalog edit\n` });
      const again = await runPlan({
        dir: copy.dir,
        stack: "acceptance",
        config: stackConfig("acceptance"),
        world: afterFirstUp(),
        timeoutSeconds: 120,
      }).finally(() => copy.remove());
      expect(only(again, "docker-build:index:Image", "images-web").inputs["tags"]).toEqual(
        only(run("acceptance"), "docker-build:index:Image", "images-web").inputs["tags"],
      );
    });
  });

  test("a push without registry credentials fails as the registry refuses it", async () => {
    const world = { ...projectWorld(root, stackConfig("acceptance")), registryLogins: [] };
    await expect(planIn("acceptance", stackConfig("acceptance"), world)).rejects.toThrow(
      "contosoplatformacr.azurecr.io: 401 Unauthorized: authentication required (no Docker credentials for contosoplatformacr.azurecr.io; log in first: az acr login --name contosoplatformacr)",
    );
  });

  test("the shipped production stack runs the platform and no app: apps arrive by promotion", async () => {
    const shipped = await runStack("production");
    expect(shipped.outputs["notDeployed"]).toEqual(["main-api", "web", "customer-api"]);
    expect(ofType(shipped, "kubernetes:apps/v1:Deployment")).toEqual([]);
    expect(stackConfig("production")["platform:images"]).toBe("{}");
  });

  test("production looks up every pinned tag@digest in the registry and deploys exactly that", () => {
    const lookups = run("production")
      .invocations.filter((call) => call.token === "docker:index/getRegistryImage:getRegistryImage")
      .map((call) => call.inputs["name"]);
    expect(lookups.sort()).toEqual([
      "contosoplatformacr.azurecr.io/customer-api:0.9.3",
      "contosoplatformacr.azurecr.io/main-api:1.4.0",
      "contosoplatformacr.azurecr.io/web:2.0.1",
    ]);
    expect(ofType(run("production"), "docker-build:index:Image")).toEqual([]);
    expect((run("production").outputs["images"] as Record<string, unknown>)["web"]).toEqual({
      tag: "2.0.1",
      digest: digest("b"),
      image: `contosoplatformacr.azurecr.io/web:2.0.1@${digest("b")}`,
    });
  });

  const withRegistry = (registryImages: Record<string, string>) => ({
    ...projectWorld(root, productionConfig()),
    registryImages,
  });
  const allBut = (reference: string, value?: string) => {
    const images = { ...projectWorld(root, productionConfig()).registryImages };
    if (value === undefined) delete images[reference];
    else images[reference] = value;
    return images;
  };

  test.each([false, true])(
    "a pinned digest the registry does not hold fails the run (preview: %s) before any workload changes",
    async (preview) => {
      const world = withRegistry(allBut("contosoplatformacr.azurecr.io/web:2.0.1"));
      await expect(planIn("production", productionConfig(), world, preview)).rejects.toThrow(
        `platform:images.web: web:2.0.1@${digest("b")} cannot be deployed: contosoplatformacr.azurecr.io has no image web:2.0.1 (Got error when attempting to fetch image version web:2.0.1 from registry: got bad response from registry: 404 Not Found)`,
      );
    },
  );

  test("a preview of production with every app pinned reads the registry with the token file, not az acr login's credential", async () => {
    const run = await planIn("production", productionConfig(), projectWorld(root, productionConfig()), true);
    const reader = only(run, "pulumi:providers:docker");
    expect(JSON.parse(reader.inputs["registryAuth"] as string)).toEqual([
      { address: "contosoplatformacr.azurecr.io", configFile: "~/.docker/platform-registry-reader.json" },
    ]);
    expect(run.invocations.filter((call) => call.token.startsWith("docker:"))).toHaveLength(3);
  });

  test("without the token file (only az acr login) the preview fails with the provider's error and says what to run", async () => {
    const world = { ...projectWorld(root, productionConfig()), dockerConfigFiles: {} };
    const file = `${homedir()}/.docker/platform-registry-reader.json`;
    await expect(planIn("production", productionConfig(), world, true)).rejects.toThrow(
      `platform:images.main-api: main-api:1.4.0@${digest("a")} cannot be deployed: contosoplatformacr.azurecr.io refused the lookup of main-api:1.4.0 (Error loading registry auth config: could not open config file from filePath: ${file}. Error: open ${file}: no such file or directory); the lookups authenticate with the ACR token in ~/.docker/platform-registry-reader.json: write it after \`az acr login --name contosoplatformacr --expose-token\` as docs/deploying.md shows (step 5) (CI: the azure-pulumi action)`,
    );
  });

  test("a token the registry does not take (expired) fails the lookup with the provider's 401", async () => {
    const world = { ...projectWorld(root, productionConfig()), registryTokens: {} };
    await expect(planIn("production", productionConfig(), world, true)).rejects.toThrow(
      "contosoplatformacr.azurecr.io refused the lookup of main-api:1.4.0 (Got error when attempting to fetch image version main-api:1.4.0 from registry: got bad response from registry: 401 Unauthorized)",
    );
  });

  test("a tag that names another digest in the registry fails the run, naming both", async () => {
    const world = withRegistry(allBut("contosoplatformacr.azurecr.io/web:2.0.1", digest("f")));
    await expect(planIn("production", productionConfig(), world)).rejects.toThrow(
      `platform:images.web: web:2.0.1@${digest("b")} cannot be deployed: in contosoplatformacr.azurecr.io, web:2.0.1 is ${digest("f")}, not ${digest("b")}`,
    );
  });

  test("an acceptance rollback (a pinned entry) is checked the same way and builds nothing", async () => {
    const config = {
      ...stackConfig("acceptance"),
      "platform:images": JSON.stringify({ web: { tag: "2.0.0", digest: digest("d") } }),
    };
    const rollback = await runStack("acceptance", config);
    expect(ofType(rollback, "docker-build:index:Image")).toEqual([]);
    expect(rollback.invocations.map((call) => call.inputs["name"])).toContain(
      "contosoplatformacr.azurecr.io/web:2.0.0",
    );
  });
});

describe("MySQL Flexible Server", () => {
  test.each([
    ["acceptance", { name: "Standard_B1ms", tier: "Burstable" }, { mode: "Disabled" }, 7, "Disabled"],
    [
      "production",
      { name: "Standard_D2ads_v5", tier: "GeneralPurpose" },
      { mode: "ZoneRedundant", standbyAvailabilityZone: "2" },
      35,
      "Enabled",
    ],
  ])(
    "%s: SKU %j, high availability %j, %i days of backups, geo-redundancy %s",
    (stack, sku, ha, retention, geo) => {
      const server = inputs(stack, "azure-native:dbformysql:Server");
      expect(server.sku).toEqual(sku);
      expect(server.highAvailability).toEqual(ha);
      expect(server.backup).toEqual({ backupRetentionDays: retention, geoRedundantBackup: geo });
      expect(server.version).toBe("8.0.21");
    },
  );

  test.each(["acceptance", "production"])(
    "%s: private access only, TLS required, secret generated password, protected",
    (stack) => {
      const server = only(run(stack), "azure-native:dbformysql:Server");
      expect(server.inputs["network"]).toEqual({
        delegatedSubnetResourceId: "azure-native:network:Subnet/network-mysql",
        privateDnsZoneResourceId: "azure-native:privatedns:PrivateZone/mysql-zone",
        publicNetworkAccess: "Disabled",
      });
      expect(inputs(stack, "azure-native:privatedns:PrivateZone", "mysql-zone").privateZoneName).toBe(
        `platform-${stack}.private.mysql.database.azure.com`,
      );
      expect(isSecret(server.inputs["administratorLoginPassword"])).toBe(true);
      expect(server.protect).toBe(true);
      expect(
        inputs(stack, "azure-native:dbformysql:Configuration", "mysql-require-secure-transport"),
      ).toMatchObject({ configurationName: "require_secure_transport", value: "ON" });
      expect(
        inputs(stack, "random:index/randomPassword:RandomPassword", "mysql-admin-password"),
      ).toMatchObject({
        length: 32,
        special: true,
      });
    },
  );

  test.each(["acceptance", "production"])(
    "%s: changes to the server go one at a time (a Flexible Server is busy otherwise)",
    (stack) => {
      const configurations = ofType(run(stack), "azure-native:dbformysql:Configuration");
      expect(configurations.map((configuration) => configuration.name)).toEqual([
        "mysql-require-secure-transport",
        "mysql-audit-log",
        "mysql-audit-log-events",
        "mysql-slow-query-log",
      ]);
      configurations.slice(1).forEach((configuration, index) => {
        expect(configuration.dependencies).toContain(configurations[index]!.urn);
      });
      const mainApi = only(run(stack), "azure-native:dbformysql:Database", "mysql-db-main_api");
      const customerApi = only(run(stack), "azure-native:dbformysql:Database", "mysql-db-customer_api");
      expect(mainApi.dependencies).toContain(configurations.at(-1)!.urn);
      expect(customerApi.dependencies).toContain(mainApi.urn);
      expect(
        only(run(stack), "azure-native:monitor:DiagnosticSetting", "mysql-diagnostics").dependencies,
      ).toContain(customerApi.urn);
    },
  );

  test.each(["acceptance", "production"])(
    "%s: the audit log (connections, schema and privilege changes) and the slow query log are on",
    (stack) => {
      const parameters = ofType(run(stack), "azure-native:dbformysql:Configuration").map(
        ({ inputs: args }) => [args["configurationName"], args["value"], args["source"]],
      );
      expect(parameters).toEqual([
        ["require_secure_transport", "ON", "user-override"],
        ["audit_log_enabled", "ON", "user-override"],
        ["audit_log_events", "CONNECTION,DDL,DCL", "user-override"],
        ["slow_query_log", "ON", "user-override"],
      ]);
      expect(inputs(stack, "azure-native:monitor:DiagnosticSetting", "mysql-diagnostics").logs).toEqual([
        { categoryGroup: "allLogs", enabled: true },
      ]);
    },
  );

  test.each(["acceptance", "production"])("%s: one utf8mb4 database per app that uses MySQL", (stack) => {
    const databases = ofType(run(stack), "azure-native:dbformysql:Database").map((db) => db.inputs);
    expect(databases.map((db) => db["databaseName"])).toEqual(["main_api", "customer_api"]);
    expect(databases.every((db) => db["charset"] === "utf8mb4")).toBe(true);
  });
});

describe("Redis (Azure Managed Redis)", () => {
  test.each([
    ["acceptance", "Balanced_B0", "Disabled"],
    ["production", "Balanced_B1", "Enabled"],
  ])("%s: SKU %s, high availability %s, TLS 1.2+ only, private only", (stack, sku, ha) => {
    expect(inputs(stack, "azure-native:redisenterprise:RedisEnterprise")).toMatchObject({
      sku: { name: sku },
      highAvailability: ha,
      minimumTlsVersion: "1.2",
      publicNetworkAccess: "Disabled",
    });
    expect(inputs(stack, "azure-native:redisenterprise:Database")).toMatchObject({
      clientProtocol: "Encrypted",
      port: 10000,
    });
    expect(
      inputs(stack, "azure-native:network:PrivateEndpoint", "redis-endpoint").privateLinkServiceConnections,
    ).toEqual([
      {
        name: "redis",
        privateLinkServiceId: "azure-native:redisenterprise:RedisEnterprise/redis-cluster",
        groupIds: ["redisEnterprise"],
      },
    ]);
    expect(inputs(stack, "azure-native:privatedns:PrivateZone", "redis-zone").privateZoneName).toBe(
      "privatelink.redis.azure.net",
    );
  });
});

describe("monitoring", () => {
  test.each(["acceptance", "production"])(
    "%s: Container Insights data reaches the workspace through a collection rule on the cluster",
    (stack) => {
      const rule = only(run(stack), "azure-native:monitor:DataCollectionRule");
      expect(rule.inputs).toMatchObject({
        destinations: {
          logAnalytics: [
            {
              name: "workspace",
              workspaceResourceId: "azure-native:operationalinsights:Workspace/monitoring-logs",
            },
          ],
        },
        dataFlows: [{ streams: ["Microsoft-ContainerInsights-Group-Default"], destinations: ["workspace"] }],
      });
      expect(inputs(stack, "azure-native:monitor:DataCollectionRuleAssociation")).toEqual({
        associationName: "ContainerInsightsExtension",
        resourceUri: "azure-native:containerservice:ManagedCluster/aks-cluster",
        dataCollectionRuleId: "azure-native:monitor:DataCollectionRule/aks-container-insights",
      });
    },
  );

  test.each([
    ["acceptance", 30],
    ["production", 90],
  ])(
    "%s: one workspace keeping logs %i days; database and cache send their diagnostics to it",
    (stack, days) => {
      expect(inputs(stack, "azure-native:operationalinsights:Workspace").retentionInDays).toBe(days);
      const settings = ofType(run(stack), "azure-native:monitor:DiagnosticSetting").map((d) => [
        d.inputs["resourceUri"],
        d.inputs["workspaceId"],
      ]);
      expect(settings).toEqual(
        expect.arrayContaining([
          [
            "azure-native:dbformysql:Server/mysql-server",
            "azure-native:operationalinsights:Workspace/monitoring-logs",
          ],
          [
            "azure-native:redisenterprise:RedisEnterprise/redis-cluster",
            "azure-native:operationalinsights:Workspace/monitoring-logs",
          ],
          [
            "azure-native:redisenterprise:Database/redis-database",
            "azure-native:operationalinsights:Workspace/monitoring-logs",
          ],
        ]),
      );
    },
  );
});

const distrolessPodSecurity = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  supplementalGroups: [65532],
  fsGroup: 65532,
  seccompProfile: { type: "RuntimeDefault" },
};

describe.each(["acceptance", "production"])("%s TLS of the public hosts", (stack) => {
  const release = () => only(run(stack), "kubernetes:helm.sh/v3:Release", "cert-manager");
  const namespace = () => only(run(stack), "kubernetes:core/v1:Namespace", "cert-manager-namespace");

  test("cert-manager v1.21.1 from its OCI chart, CRDs kept, HTTP-01 paths the add-on's NGINX accepts", () => {
    expect(release().inputs).toEqual({
      compat: "true",
      name: "cert-manager",
      chart: "oci://quay.io/jetstack/charts/cert-manager",
      version: "v1.21.1",
      namespace: "cert-manager",
      values: {
        crds: { enabled: true, keep: true },
        config: { featureGates: { ACMEHTTP01IngressPathTypeExact: false } },
        // The images' distroless nonroot user and its groups (restricted initiative, decision 0033).
        securityContext: distrolessPodSecurity,
        webhook: { securityContext: distrolessPodSecurity },
        cainjector: { securityContext: distrolessPodSecurity },
        startupapicheck: { securityContext: distrolessPodSecurity },
      },
    });
    expect(release().dependencies).toContain(namespace().urn);
  });

  test("in a namespace of its own at the restricted pod security level, once the apps' node pool exists", () => {
    expect(namespace().inputs).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "cert-manager",
        labels: {
          "app.kubernetes.io/part-of": "platform",
          "app.kubernetes.io/managed-by": "pulumi",
          "platform/environment": stack,
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });
    const pool = only(run(stack), "azure-native:containerservice:AgentPool");
    expect(namespace().dependencies).toContain(pool.urn);
    const provider = only(run(stack), "pulumi:providers:kubernetes");
    for (const registration of [release(), namespace()])
      expect(registration.provider?.split("::").slice(0, -1).join("::")).toBe(provider.urn);
  });

  test("every Ingress asks the environment's ACME issuer for a certificate of its hosts", () => {
    const issuer = only(run(stack), "kubernetes:cert-manager.io/v1:ClusterIssuer", "acme");
    expect(issuer.inputs["spec"]).toEqual({
      acme: {
        server: environments[stack as "acceptance" | "production"].tls.acmeServer,
        privateKeySecretRef: { name: "acme-account-key" },
        solvers: [
          {
            http01: {
              ingress: {
                ingressClassName: "webapprouting.kubernetes.azure.com",
                podTemplate: { spec: { securityContext: distrolessPodSecurity } },
              },
            },
          },
        ],
      },
    });
    const ingresses = ofType(run(stack), "kubernetes:networking.k8s.io/v1:Ingress");
    expect(ingresses.map((ingress) => ingress.name)).toEqual(["main-api", "web"]);
    for (const ingress of ingresses) {
      const { metadata, spec } = ingress.inputs as Record<string, any>;
      expect(metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "acme" });
      expect(spec.tls).toEqual([{ hosts: [spec.rules[0].host], secretName: `${ingress.name}-tls` }]);
    }
  });
});

describe.each(["acceptance", "production"])("%s secrets", (stack) => {
  const credentials = ["mock-password-", "mock-redis-key-", "kind: Config"];

  test("no credential reaches the engine or the stack outputs unmarked as secret", () => {
    const leaks = run(stack).registrations.flatMap((r) =>
      plaintext(r.inputs, credentials).map((path) => `${r.type} ${r.name}: ${path}`),
    );
    leaks.push(...plaintext(run(stack).outputs, credentials).map((path) => `outputs: ${path}`));
    expect(leaks).toEqual([]);
    expect(isSecret(run(stack).outputs["kubeconfig"])).toBe(true);
  });
});

describe("stack outputs", () => {
  test.each(["acceptance", "production"])("%s exports what the CLI and promotion read", (stack) => {
    expect(run(stack).outputs).toMatchObject({
      environmentName: stack,
      registryLoginServer: "contosoplatformacr.azurecr.io",
      clusterName: `aks-platform-${stack}`,
      databaseHost: expect.stringMatching(/\.mysql\.database\.azure\.com$/) as unknown,
      cacheHost: expect.stringMatching(/\.redis\.azure\.net$/) as unknown,
      notDeployed: [],
    });
  });

  test("an app without an images entry is reported as not deployed", async () => {
    const { web: _web, ...others } = promoted;
    const partial = await runStack("production", productionConfig(others));
    expect(partial.outputs["notDeployed"]).toEqual(["web"]);
  });
});

test("bad stack config stops the program before any resource exists, naming every problem", async () => {
  const config = productionConfig({ web: { tag: "2.0.1" }, api: { tag: "1" } });
  await expect(runStack("production", config)).rejects.toThrow(
    [
      "Pulumi.production.yaml is not valid:",
      "  - platform:images.api: unknown app; expected one of main-api, web, customer-api",
      `  - platform:images.web.digest: missing; production does not build images and deploys only tag@digest (copy it with: platform promote ${upstreamOf("production")} production --app web)`,
    ].join("\n"),
  );
});

/** Paths under `value` where one of `needles` appears outside a secret. */
function plaintext(value: unknown, needles: readonly string[], path = "$"): string[] {
  if (isSecret(value)) return [];
  if (typeof value === "string") return needles.some((needle) => value.includes(needle)) ? [path] : [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => plaintext(item, needles, `${path}[${index}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => plaintext(item, needles, `${path}.${key}`));
  }
  return [];
}
