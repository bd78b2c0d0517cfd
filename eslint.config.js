// Lint rules that keep the architecture honest: services meet through the graph, never
// through each other's code (see ARCHITECTURE.md, "Who may import whom").
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { packageBoundaries } from "./scripts/eslint/packageBoundaries.js";

const services = ["@crossdock/erp", "@crossdock/crm", "@crossdock/wms", "@crossdock/cdc-ingest", "@crossdock/gateway", "@crossdock/flows"];
const harness = ["@crossdock/launcher", "@crossdock/test", "@crossdock/bench"];

function forbid(names, message) {
  return { patterns: [{ group: names.flatMap((n) => [n, `${n}/*`]), message }] };
}

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/__generated__/**", "**/dist/**", ".crossdock/**", "test-results/**", "console/public/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["**/*.ts", "**/*.js", "**/*.mjs"],
    plugins: { crossdock: packageBoundaries },
    rules: { "crossdock/package-boundaries": "error" },
  },
  {
    files: ["schema/**/*.ts"],
    rules: { "no-restricted-imports": ["error", forbid(["@crossdock/platform", ...services, ...harness], "schema imports no other workspace")] },
  },
  {
    files: ["platform/**/*.ts"],
    rules: { "no-restricted-imports": ["error", forbid([...services, ...harness], "platform is shared plumbing; it must not know any service")] },
  },
  ...["subgraphs/erp", "subgraphs/crm", "subgraphs/wms", "cdc-ingest", "gateway", "flows"].map((dir) => ({
    files: [`${dir}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          ...forbid([...services, ...harness], "services meet through the graph, their own database and the change feed; never import another service"),
          paths: [],
        },
      ],
    },
  })),
  ...["subgraphs/erp", "subgraphs/crm", "subgraphs/wms", "cdc-ingest", "gateway", "flows", "platform", "schema", "launcher"].map((dir) => ({
    // A package's tests share the test support of @crossdock/test (by name), and nothing else of the harness.
    files: [`${dir}/tests/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        forbid(
          [...services, "@crossdock/launcher", "@crossdock/bench"].filter((name) => !dir.endsWith(name.split("/")[1])),
          "a package's tests use its own code and @crossdock/test; they never import another service",
        ),
      ],
    },
  })),
  {
    // Tests read loosely shaped GraphQL responses; typing every payload adds noise, not safety.
    files: ["**/tests/**/*.ts", "test/e2e/**/*.ts", "test/faults/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
