export { createApp, bearerSecurity, DEFAULT_TIMEOUTS } from './app.js'
export type { App, AppOptions, ServerTimeouts } from './app.js'
export {
  DEFAULT_MAX_LIFETIME_SECONDS,
  LOCAL_DEV_SECRET,
  authPlugin,
  createVerifier,
  publicPrincipal,
  refuseAdmin,
  requireAuthenticated,
  requireRoles,
  roles,
  signToken,
} from './auth.js'
export type { AuthPluginOptions, Principal, Role, TokenClaims, Verifier, VerifierOptions } from './auth.js'
export { authConfigSchema, readConfig, stringEnum, verifierOptions } from './config.js'
export type { AuthConfig } from './config.js'
export {
  codedError,
  errorBody,
  errorHandler,
  httpErrors,
  notFoundHandler,
  validationIssuesSchema,
  withExtras,
} from './errors.js'
export type { CodedErrorConstructor, ErrorBody, ErrorExtras, FieldError } from './errors.js'
export { BodyMalformed, illFormedStringPath, mayHoldLoneSurrogate } from './json-body.js'
export { metricsPlugin, opsMetrics, typeLabel } from './metrics.js'
export type { LagReading, MetricsPluginOptions, OpsMetrics, RunTrigger } from './metrics.js'
export { parseQuery, queryProblems, rejectInvalidQuery } from './querystring.js'
export { serviceConfigSchema, serverTimeouts } from './service-config.js'
export { REDACTED, redactUrl } from './redaction.js'
export { parseDuration } from './duration.js'
