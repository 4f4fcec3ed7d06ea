import { PolicyPack } from "@pulumi/policy";
import { baselinePackName, baselinePolicies } from "./baseline";

// The pack's entry: constructing it starts the analyzer that Pulumi talks to.
new PolicyPack(baselinePackName, { policies: [...baselinePolicies], enforcementLevel: "mandatory" });
