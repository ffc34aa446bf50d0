/** @ecrs/console: the web console's server (contract §11). */
export { start, type ConsoleService } from './service.js'
export { buildApp, type ConsoleDeps } from './app.js'
export { configSchema, type Config } from './config.js'
export { upstreams, upstreamUrl, type Upstreams, type UpstreamName } from './proxy/upstreams.js'
