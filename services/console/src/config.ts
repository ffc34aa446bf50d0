import { authConfigSchema, stringEnum } from '@ecrs/http'
import { Type, type Static } from '@sinclair/typebox'

const upstream = (port: number) => Type.String({ default: `http://127.0.0.1:${port}`, pattern: '^https?://' })

/** The console's settings (contract §1, §11), read from the environment by main.ts. */
export const configSchema = Type.Composite([
  authConfigSchema,
  Type.Object({
    HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
    PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 5000 }),
    HTTP_BODY_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 60_000 }),
    /** `sign-in`: the development "sign in as" form (refused in production); `token`: paste a bearer token. */
    ECRS_CONSOLE_AUTH: stringEnum(['sign-in', 'token'], { default: 'sign-in' }),
    /** Lifetime of the tokens the sign-in form mints, in seconds (at most the services' 24 h). */
    CONSOLE_TOKEN_TTL_S: Type.Integer({ minimum: 60, maximum: 86_400, default: 8 * 3600 }),
    /** The built single-page app; `services/console/web/dist` when unset. */
    CONSOLE_WEB_DIR: Type.Optional(Type.String({ minLength: 1 })),
    CONSOLE_INGEST_URL: upstream(8081),
    CONSOLE_CREDIT_PROFILE_URL: upstream(8082),
    CONSOLE_RECALL_URL: upstream(8083),
    CONSOLE_NOTIFY_URL: upstream(8084),
    CONSOLE_INSPECTION_URL: upstream(8085),
  }),
])

export type Config = Static<typeof configSchema>
