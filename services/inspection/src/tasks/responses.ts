/**
 * Response schemas of the task routes (contract §9), as /openapi.json shows them. Objects stay open
 * (`additionalProperties: true`) so that the serializer never drops a field the schema forgot.
 */
import { stringEnum } from '@ecrs/http'
import { Type, type TObject, type TProperties } from '@sinclair/typebox'

const open = <P extends TProperties>(props: P, description?: string): TObject<P> =>
  Type.Object(props, { additionalProperties: true, ...(description === undefined ? {} : { description }) })

const Status = stringEnum(['planned', 'drawn', 'completed'])
const Count = Type.Integer({ minimum: 0 })
const ClassCounts = open({ A: Count, B: Count, C: Count, D: Count }, 'population counts by risk class')
const Inspector = open({ agency: Type.String(), inspectorId: Type.String() })
const Progress = open({ selected: Count, inspected: Count, overdue: Count })

const definition = {
  taskId: Type.String(),
  title: Type.String(),
  items: Type.Array(Type.String()),
  agencies: Type.Array(Type.String()),
  dueBy: Type.String({ description: 'a date (Asia/Shanghai)' }),
  seedCommitment: Type.String(),
  status: Status,
}

/** A task as its agencies and regulators see it (the list leaves `selected` out). */
export const TaskResponse = open({
  ...definition,
  population: open(
    {
      region: Type.String(),
      kinds: Type.Optional(Type.Array(Type.String())),
      excludeInspectedWithinMonths: Type.Integer(),
      A: Type.Optional(Count),
      B: Type.Optional(Count),
      C: Type.Optional(Count),
      D: Type.Optional(Count),
    },
    'the filter; once drawn also the counts by risk class',
  ),
  ratios: open({ A: Type.Number(), B: Type.Number(), C: Type.Number(), D: Type.Number() }),
  inspectorsPerAgency: Type.Integer(),
  lead: Type.String(),
  createdAt: Type.String(),
  progress: Progress,
  drawnAt: Type.Optional(Type.String()),
  completedAt: Type.Optional(Type.String()),
  seed: Type.Optional(Type.String()),
  populationHash: Type.Optional(Type.String()),
  selected: Type.Optional(
    Type.Array(
      open({
        uscc: Type.String(),
        name: Type.String(),
        inspectors: Type.Array(Inspector),
        inspected: Type.Optional(
          open({ agency: Type.String(), time: Type.String(), results: Type.Array(Type.String()) }),
        ),
      }),
    ),
  ),
})

export const TaskListResponse = open({ items: Type.Array(TaskResponse), next: Type.Optional(Type.String()) })

/** The answer of the draw. */
export const DrawResponse = open({
  taskId: Type.String(),
  status: Status,
  drawnAt: Type.String(),
  seed: Type.String(),
  populationHash: Type.String(),
  population: ClassCounts,
  selected: Type.Array(open({ uscc: Type.String(), name: Type.String(), inspectors: Type.Array(Inspector) })),
})

/** 一公开: no class of an enterprise, no inspector. */
export const PublicTaskResponse = open({
  ...definition,
  region: Type.String(),
  seed: Type.Optional(Type.String()),
  drawnAt: Type.Optional(Type.String()),
  populationHash: Type.Optional(Type.String()),
  populationSize: Type.Optional(Count),
  selectedCount: Type.Optional(Count),
  selected: Type.Optional(
    Type.Array(
      open({ uscc: Type.String(), name: Type.String(), result: Type.Optional(Type.Array(Type.String())) }),
    ),
  ),
})

export const PublicTaskListResponse = open({
  items: Type.Array(PublicTaskResponse),
  next: Type.Optional(Type.String()),
})
