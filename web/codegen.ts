import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed operations from the API's committed SDL; `npm run codegen:check` fails when
// src/gql is stale (make test runs it).
const config: CodegenConfig = {
  schema: "../schema/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Decimal: "string", Date: "string", DateTime: "string", JSON: "unknown" },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};
export default config;
