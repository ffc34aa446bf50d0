/** The identifiers of the inspection routes, as JSON Schema patterns. */
import { Type } from '@sinclair/typebox'

/** An agency id (contract §3: `[a-z0-9.-]+`). */
export const AGENCY_PATTERN = '^[a-z0-9.-]{1,128}$'
/** A task id: 1–128 of `[A-Za-z0-9._-]` (no `:`, so `…/{taskId}:draw` reads one way). */
export const TASK_ID_PATTERN = '^[A-Za-z0-9._-]{1,128}$'
/** An inspector id: 1–128 characters, no control characters. */
export const INSPECTOR_ID_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]{1,128}$'

export const AgencyId = Type.String({ pattern: AGENCY_PATTERN, description: 'an agency id, e.g. `samr.sh`' })
export const TaskId = Type.String({ pattern: TASK_ID_PATTERN, description: 'the task id' })
export const InspectorId = Type.String({
  pattern: INSPECTOR_ID_PATTERN,
  description: 'the inspector id (1–128 characters, no control characters)',
})
export const NoQuery = Type.Object({}, { additionalProperties: false })
