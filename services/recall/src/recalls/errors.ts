import { codedError } from '@ecrs/http'

/** The recall service's own error codes (contract §7). */
export const recallErrors = {
  RECALL_NOT_FOUND: codedError('RECALL_NOT_FOUND', 404, 'no recall %s'),
  RECALL_TRANSITION_INVALID: codedError('RECALL_TRANSITION_INVALID', 409, '%s'),
  USCC_INVALID: codedError('USCC_INVALID', 400, '%s is not a valid Unified Social Credit Code'),
  EVENT_INVALID: codedError('EVENT_INVALID', 400, 'the event would be invalid'),
  EVENT_ID_CONFLICT: codedError('EVENT_ID_CONFLICT', 409, '%s already published %s with other content'),
  /** Another writer updated the case between read and write: retried (409 is transient for consumers). */
  CASE_CONFLICT: codedError('CASE_CONFLICT', 409, 'recall case %s changed meanwhile'),
} as const
