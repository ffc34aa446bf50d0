import createClient, { type Middleware } from 'openapi-fetch'
import type { paths as CreditProfile } from './schema/credit-profile.js'
import type { paths as Ingest } from './schema/ingest.js'
import type { paths as Inspection } from './schema/inspection.js'
import type { paths as Notify } from './schema/notify.js'
import type { paths as Recall } from './schema/recall.js'
import { getSession, signOut } from '../session/session.js'

/** The common error body of every service (contract §5). */
export interface ApiError {
  readonly statusCode: number
  readonly code: string
  readonly message: string
  readonly errors?: readonly { readonly path: string; readonly message: string }[]
}

// The token goes in the Authorization header of same-origin calls, nowhere else. A 401 means the
// token is gone or refused: back to sign-in with the service's reason.
const auth: Middleware = {
  onRequest({ request }) {
    const session = getSession()
    if (session !== undefined) request.headers.set('authorization', `Bearer ${session.token}`)
    return request
  },
  async onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('authorization')) {
      const body = (await response
        .clone()
        .json()
        .catch(() => ({}))) as Partial<ApiError>
      signOut(body.message ?? 'unauthorized')
    }
    return response
  },
}

const client = <P extends object>(service: string) => {
  const c = createClient<P>({ baseUrl: `/api/${service}` })
  c.use(auth)
  return c
}

export const ingest = client<Ingest>('ingest')
export const creditProfile = client<CreditProfile>('credit-profile')
export const recall = client<Recall>('recall')
export const notify = client<Notify>('notify')
export const inspection = client<Inspection>('inspection')

/** Thrown by {@link ok} for an error answer, carrying the service's coded body. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.message)
  }
}

/** The data of a successful openapi-fetch answer, or throws its coded error. */
export const ok = async <T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> => {
  const { data, error, response } = await call
  if (error !== undefined || data === undefined || data === null) {
    const body = (error ?? {
      statusCode: response.status,
      code: 'UNKNOWN',
      message: response.statusText,
    }) as ApiError
    throw new ApiFailure(response.status, body)
  }
  return data
}

/** A raw same-origin call with the session's token (NDJSON batches, the console's own routes). */
export const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
  const headers = new Headers(init.headers)
  const session = getSession()
  if (session !== undefined) headers.set('authorization', `Bearer ${session.token}`)
  const res = await fetch(path, { ...init, headers })
  if (res.status === 401 && session !== undefined) {
    const body = (await res
      .clone()
      .json()
      .catch(() => ({}))) as Partial<ApiError>
    signOut(body.message ?? 'unauthorized')
  }
  return res
}
