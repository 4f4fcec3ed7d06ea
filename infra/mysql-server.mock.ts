import { fakeHash, noOutputs, physicalName, type Fakes } from "./fake-kit";
import { monitoringFakes } from "./monitoring.mock";
import { privateDnsFakes } from "./private-dns.mock";

export const mysqlServerFakes: Fakes = {
  source: "infra/mysql-server.mock.ts",
  resources: {
    "azure-native:dbformysql:Server": ({ name, inputs }) => {
      const physical = physicalName(name, inputs, "serverName");
      return { fullyQualifiedDomainName: `${physical}.mysql.database.azure.com` };
    },
    "azure-native:dbformysql:Configuration": noOutputs,
    "azure-native:dbformysql:Database": noOutputs,
    "random:index/randomPassword:RandomPassword": ({ name }) => ({
      result: `mock-password-${fakeHash(name).slice(0, 16)}`,
    }),
    ...privateDnsFakes.resources,
    ...monitoringFakes.resources,
  },
};
