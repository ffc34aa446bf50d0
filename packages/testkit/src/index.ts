export {
  provision,
  detectMongoFlavor,
  type Infra,
  type MongoFlavor,
  type ProvisionOptions,
} from './provision.js'
export { LocalKafka, ensureKafkaJars, type LocalKafkaOptions } from './local-kafka.js'
export { LocalStore, ensureStoreBinary, type LocalStoreOptions } from './local-store.js'
export { dockerAvailable } from './docker.js'
export { waitFor, WaitAborted, type WaitOptions } from './wait.js'
export { freePort, isPortFree } from './ports.js'
export { serviceHeapArgs } from './node-args.js'
export { startManaged, signalGroup, tailFile, type Managed } from './process.js'
export { stderrProgress, silentProgress, type Progress } from './progress.js'
export { cacheDir, repoRoot } from './paths.js'
export { versions } from './versions.js'
export { randomUscc } from './builders.js'
export { metricValue } from './metrics.js'
export { dbNameOf, serviceEnv } from './service-env.js'
