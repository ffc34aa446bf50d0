/** Request schemas of the task routes (contract §9), as /openapi.json shows them. */
import { stringEnum } from '@ecrs/http'
import { Type } from '@sinclair/typebox'
import { AgencyId, TaskId } from '../ids.js'

const Ratio = Type.Number({ minimum: 0, maximum: 1 })
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[^\\u0000-\\u001f]*$' })

export const CreateBody = Type.Object(
  {
    taskId: TaskId,
    title: Text(200),
    items: Type.Array(Text(200), { minItems: 1, maxItems: 100 }),
    agencies: Type.Optional(
      Type.Array(AgencyId, {
        minItems: 1,
        maxItems: 20,
        description: 'the lead and its partners (joint task); the lead is put first when absent',
      }),
    ),
    population: Type.Object(
      {
        region: Type.String({ pattern: '^[0-9]{0,6}$', description: 'region code prefix' }),
        kinds: Type.Optional(
          Type.Array(stringEnum(['company', 'individual', 'cooperative', 'other']), {
            maxItems: 4,
            uniqueItems: true,
          }),
        ),
        excludeInspectedWithinMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
      },
      { additionalProperties: false },
    ),
    ratios: Type.Optional(
      Type.Object(
        {
          A: Type.Optional(Ratio),
          B: Type.Optional(Ratio),
          C: Type.Optional(Ratio),
          D: Type.Optional(Ratio),
        },
        {
          additionalProperties: false,
          description: 'per class 0–1; a class left out takes INSPECTION_RATIOS',
        },
      ),
    ),
    inspectorsPerAgency: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    dueBy: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a date (Asia/Shanghai)' }),
    seedCommitment: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: 'lower-case hex SHA-256 of the seed',
    }),
  },
  { additionalProperties: false },
)

export const TaskParams = Type.Object({ taskId: TaskId }, { additionalProperties: false })

export const DrawBody = Type.Object(
  {
    seed: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'the seed whose SHA-256 is the commitment',
    }),
  },
  { additionalProperties: false },
)

const Status = stringEnum(['planned', 'drawn', 'completed'])
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 }))
const Cursor = Type.Optional(
  Type.String({ pattern: '^[A-Za-z0-9._-]{1,128}$', description: 'the `next` of the previous page' }),
)

export const ListQuery = Type.Object(
  { agency: Type.Optional(AgencyId), status: Type.Optional(Status), limit: Limit, cursor: Cursor },
  { additionalProperties: false },
)

export const PublicListQuery = Type.Object(
  {
    region: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,6}$', description: 'prefix of the task’s region' }),
    ),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'part of the title' })),
    status: Type.Optional(Status),
    limit: Limit,
    cursor: Cursor,
  },
  { additionalProperties: false },
)
