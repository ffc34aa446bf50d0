/** @ecrs/inspection: the random-inspection service (contract §9). */
export { start, type InspectionService } from './service.js'
export { configSchema, settingsOf, type Config, type Settings } from './config.js'
export { parseRatios, type Ratios } from './ratios.js'
