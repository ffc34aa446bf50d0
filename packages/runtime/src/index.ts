/**
 * @ecrs/runtime: how an ECRS service process runs — its main (configuration, logger, signals), the
 * start-up wiring and close order every service shares, and the rebuild of a projection.
 */
export { runService, type RunningService } from './run.js'
export { rootLogger } from './logger.js'
export {
  startService,
  untilJoined,
  type ConsumeOptions,
  type FetchOptions,
  type ProjectionHandle,
  type ProjectionOptions,
  type RuntimeConfig,
  type Service,
  type ServiceContext,
  type ServiceSpec,
} from './service.js'
export { rebuildProjection, runRebuild, type RebuildResult, type RebuildSpec } from './rebuild.js'
