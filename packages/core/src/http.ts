// The Streamable HTTP transport, on its own entry point so stdio servers never load it.
export { HEALTH_PATH, MCP_PATH, serveOverHttp } from './transports/http.js';
export type { HttpHandle, HttpOptions } from './transports/http.js';
