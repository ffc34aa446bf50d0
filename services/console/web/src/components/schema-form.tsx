import { useTranslation } from 'react-i18next'
import { describedBy, Field } from './ui.js'

/** The part of JSON Schema the event catalogue uses for data fields. */
export interface JsonSchema {
  type?: string | string[]
  enum?: string[]
  const?: unknown
  format?: string
  description?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  minimum?: number
}

export type Values = Record<string, string | boolean | string[]>

const idOf = (pointer: string) => `f${pointer.replace(/[^A-Za-z0-9]/g, '-')}`

/**
 * Inputs for an object schema's properties (recursively for nested objects), keyed by JSON pointer
 * (`/data/year`), so that ingest's `errors[].path` lands beside the field it names.
 */
export const SchemaFields = ({
  schema,
  pointer,
  values,
  errors,
  onChange,
}: {
  schema: JsonSchema
  pointer: string
  values: Values
  errors: Readonly<Record<string, string>>
  onChange: (pointer: string, value: Values[string]) => void
}) => {
  const { t } = useTranslation()
  const required = new Set(schema.required ?? [])
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([name, prop]) => {
        const p = `${pointer}/${name}`
        const id = idOf(p)
        const label = `${name}${required.has(name) ? ` (${t('common.required')})` : ''}`
        const error = errors[p]
        const hint = prop.description
        const aria = describedBy(id, error, hint)
        if (prop.type === 'object' && prop.properties !== undefined) {
          return (
            <fieldset key={p}>
              <legend>{label}</legend>
              <SchemaFields schema={prop} pointer={p} values={values} errors={errors} onChange={onChange} />
              {error === undefined ? null : (
                <small className="field-error" role="alert">
                  {error}
                </small>
              )}
            </fieldset>
          )
        }
        if (prop.type === 'array' && prop.items?.enum !== undefined) {
          const chosen = (values[p] as string[] | undefined) ?? []
          return (
            <fieldset key={p} aria-describedby={aria}>
              <legend>{label}</legend>
              {prop.items.enum.map((v) => (
                <label key={v}>
                  <input
                    type="checkbox"
                    checked={chosen.includes(v)}
                    onChange={(e) =>
                      onChange(p, e.target.checked ? [...chosen, v] : chosen.filter((c) => c !== v))
                    }
                  />{' '}
                  {v}
                </label>
              ))}
              {error === undefined ? null : (
                <small id={`${id}-error`} className="field-error" role="alert">
                  {error}
                </small>
              )}
            </fieldset>
          )
        }
        const value = values[p]
        return (
          <Field key={p} id={id} label={label} error={error} hint={hint}>
            {prop.enum !== undefined ? (
              <select
                id={id}
                aria-describedby={aria}
                aria-invalid={error !== undefined}
                value={String(value ?? '')}
                onChange={(e) => onChange(p, e.target.value)}
              >
                <option value="">—</option>
                {prop.enum.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            ) : prop.type === 'boolean' ? (
              <input
                id={id}
                type="checkbox"
                aria-describedby={aria}
                checked={value === true}
                onChange={(e) => onChange(p, e.target.checked)}
              />
            ) : (
              <input
                id={id}
                aria-describedby={aria}
                aria-invalid={error !== undefined}
                type={
                  prop.type === 'integer' || prop.type === 'number'
                    ? 'number'
                    : prop.format === 'date'
                      ? 'date'
                      : 'text'
                }
                value={String(value ?? '')}
                onChange={(e) => onChange(p, e.target.value)}
              />
            )}
          </Field>
        )
      })}
    </>
  )
}

/** The data object from the form's values (empty inputs left out, numbers as numbers). */
export const dataOf = (schema: JsonSchema, pointer: string, values: Values): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const p = `${pointer}/${name}`
    if (prop.type === 'object' && prop.properties !== undefined) {
      const inner = dataOf(prop, p, values)
      if (Object.keys(inner).length > 0) out[name] = inner
      continue
    }
    const v = values[p]
    if (v === undefined || v === '' || v === false || (Array.isArray(v) && v.length === 0)) continue
    out[name] =
      (prop.type === 'integer' || prop.type === 'number') && typeof v === 'string' && /^-?[0-9.]+$/.test(v)
        ? Number(v)
        : v
  }
  return out
}
