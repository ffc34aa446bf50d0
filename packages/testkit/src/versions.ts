/**
 * Every version of the local stack, in one place. Changing the Kafka version here is enough: the
 * jars are fetched into their own cache folder (infra/kafka/pom.xml takes it as -Dkafka.version).
 */
export const versions = {
  kafka: process.env['ECRS_KAFKA_VERSION'] ?? '4.1.2',
  /** Named explicitly: Maven 3.8's built-in dependency plugin is too old for copy-dependencies here. */
  mavenDependencyPlugin: '3.8.1',
  /** Docker images, used only when a Docker engine answers. */
  kafkaImage: 'confluentinc/cp-kafka:8.1.0',
  mongoImage: 'mongo:7.0',
} as const
