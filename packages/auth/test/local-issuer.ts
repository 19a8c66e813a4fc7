// The shared local issuer lives in @bastion-mcp/testing, which depends on this package; it is
// imported from source here so that the dependency does not become a cycle.
export * from '../../testing/src/local-issuer.js';
