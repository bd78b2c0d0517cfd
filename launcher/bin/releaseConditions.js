// Module resolution for the `crossdock` command: workspace packages export their compiled
// dist/ under the "crossdock-release" condition and their TypeScript sources by default (for
// tsx, vitest and tsc). This hook asks for the compiled output first.
export const RELEASE_CONDITION = "crossdock-release";

export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [RELEASE_CONDITION, ...context.conditions] });
}
