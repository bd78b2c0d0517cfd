// @apollo/gateway refuses a supergraph that links a SECURITY feature it does not implement
// itself (`@link(url: ".../requiresScopes/v0.1", for: SECURITY)`), so that no gateway serves
// access rules it ignores. This gateway enforces @authenticated and @requiresScopes itself,
// before planning (authorizingGateway), so it hands @apollo/gateway the supergraph with those two
// links' purpose dropped; the directive applications stay and the rules are read from them.
const ENFORCED_HERE = /(@link\(\s*url:\s*"https:\/\/specs\.apollo\.dev\/(?:requiresScopes|authenticated)\/v[0-9.]+")\s*,\s*for:\s*SECURITY\s*\)/g;

export function withSecurityEnforcedByTheGateway(supergraphSdl: string): string {
  return supergraphSdl.replace(ENFORCED_HERE, "$1)");
}
