export { learnProducerNames } from './consumer.js'
export { producerNames, type ProducerName, type ProducerNames } from './store.js'
