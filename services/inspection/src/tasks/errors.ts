import { codedError } from '@ecrs/http'

/** The coded errors of the inspection tasks (contract §9). */
export const taskErrors = {
  EVENT_ID_CONFLICT: codedError('EVENT_ID_CONFLICT', 409, 'task %s exists with other content'),
  SEED_MISMATCH: codedError('SEED_MISMATCH', 409, 'SHA-256 of the seed is not the seedCommitment of task %s'),
  TASK_ALREADY_DRAWN: codedError('TASK_ALREADY_DRAWN', 409, 'task %s is already drawn'),
  TASK_NOT_DRAWN: codedError('TASK_NOT_DRAWN', 409, 'task %s is not drawn yet'),
  NOT_ENOUGH_INSPECTORS: codedError('NOT_ENOUGH_INSPECTORS', 409, '%s'),
  TASK_NOT_FOUND: codedError('TASK_NOT_FOUND', 404, 'task %s not found'),
} as const
