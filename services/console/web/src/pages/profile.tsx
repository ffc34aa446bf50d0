import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { creditProfile, ok } from '../api/client.js'
import type { paths } from '../api/schema/credit-profile.js'
import { EventRef, ErrorBox, useCursor } from '../components/ui.js'
import { date, dateTime } from '../format.js'

/** A profile as credit-profile answers it (the public view lacks risk and restrictions). */
export type Profile =
  paths['/v1/enterprises/{uscc}']['get']['responses']['200']['content']['application/json']

type Because = readonly { source: string; id: string }[] | undefined

const Refs = ({ because }: { because: Because }) => (
  <>
    {(because ?? []).map((b, i) => (
      <span key={`${b.source}/${b.id}`}>
        {i > 0 ? '、' : ''}
        <EventRef source={b.source} id={b.id} />
      </span>
    ))}
  </>
)

/** Every section of a profile; risk factors and restrictions link to the events behind them. */
export const ProfileSections = ({ profile }: { profile: Profile }) => {
  const { t, i18n } = useTranslation()
  const p = profile as Profile & {
    risk?: {
      class: string
      score: number
      modelVersion: string
      factors: { code: string; points: number; because: Because }[]
    }
    restrictions?: { measure: string; since: string; until?: string; because: Because }[]
  }
  return (
    <>
      <dl>
        <dt>{t('common.name')}</dt>
        <dd>{p.name}</dd>
        <dt>{t('common.region')}</dt>
        <dd>{p.region}</dd>
        <dt>{t('enterprise.kind')}</dt>
        <dd>{p.kind}</dd>
        <dt>{t('enterprise.registeredAt')}</dt>
        <dd>{p.registeredAt}</dd>
        <dt>{t('common.status')}</dt>
        <dd>{p.status}</dd>
        <dt>{t('common.asOf')}</dt>
        <dd>{dateTime(p.asOf, i18n.language)}</dd>
        {p.risk === undefined ? null : (
          <>
            <dt>{t('enterprise.riskClass')}</dt>
            <dd data-testid="risk-class">
              {p.risk.class} ({t('enterprise.score')} {p.risk.score}, {p.risk.modelVersion})
            </dd>
          </>
        )}
      </dl>
      {p.risk === undefined ? null : (
        <>
          <h2>{t('enterprise.factors')}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('enterprise.factor')}</th>
                <th scope="col">{t('enterprise.points')}</th>
                <th scope="col">{t('enterprise.because')}</th>
              </tr>
            </thead>
            <tbody>
              {p.risk.factors.map((f) => (
                <tr key={f.code}>
                  <td>{f.code}</td>
                  <td>{f.points}</td>
                  <td>
                    <Refs because={f.because} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {p.restrictions === undefined ? null : (
        <>
          <h2>{t('enterprise.restrictions')}</h2>
          {p.restrictions.length === 0 ? (
            <p>{t('common.none')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('enterprise.measure')}</th>
                  <th scope="col">{t('enterprise.since')}</th>
                  <th scope="col">{t('enterprise.until')}</th>
                  <th scope="col">{t('enterprise.because')}</th>
                </tr>
              </thead>
              <tbody>
                {p.restrictions.map((r) => (
                  <tr key={`${r.measure}-${r.since}`}>
                    <td>{r.measure}</td>
                    <td>{date(r.since)}</td>
                    <td>{date(r.until)}</td>
                    <td>
                      <Refs because={r.because} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <h2>{t('enterprise.abnormal')}</h2>
      {(p.abnormalListings ?? []).length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <ul>
          {(p.abnormalListings ?? []).map((l) => (
            <li key={l.listingId}>
              {l.listingId} · {l.reason} · {t('enterprise.listedAt')} {date(l.listedAt)} · {l.listedBy}
              {l.active ? ` · ${t('enterprise.active')}` : ''}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('enterprise.serious')}</h2>
      {(p.seriousListings ?? []).length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <ul>
          {(p.seriousListings ?? []).map((l) => (
            <li key={l.listingId}>
              {l.listingId} · {l.basis} · {t('enterprise.listedAt')} {date(l.listedAt)} · {l.listedBy}
              {l.active ? ` · ${t('enterprise.active')}` : ''}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('enterprise.penalties')}</h2>
      {(p.penalties ?? []).length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <ul>
          {(p.penalties ?? []).map((x) => (
            <li key={x.decisionNo}>
              {x.decisionNo} · {(x.measures ?? []).join('、')} · {x.domain} · {date(x.decidedAt)} ·{' '}
              {x.decidedBy}
              {(() => {
                const until = (x.publicity as { until?: string } | undefined)?.until
                return until === undefined ? '' : ` · ${t('enterprise.publicity')} ${date(until)}`
              })()}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('enterprise.annualReports')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('enterprise.year')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('enterprise.dueBy')}</th>
            <th scope="col">{t('enterprise.filedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {(p.annualReports ?? []).map((r) => (
            <tr key={r.year}>
              <td>{r.year}</td>
              <td>{r.status}</td>
              <td>{date(r.dueBy)}</td>
              <td>{date(r.filedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('enterprise.recalls')}</h2>
      {(p.recalls ?? []).length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <ul>
          {(p.recalls ?? []).map((r) => (
            <li key={r.recallId}>
              {r.recallId} · {r.status}
            </li>
          ))}
        </ul>
      )}
    </>
  )
}

/** The applied events of an enterprise, in event-time order, as a timeline with cursor paging. */
export const History = ({ uscc }: { uscc: string }) => {
  const { t, i18n } = useTranslation()
  const { cursor, Pager } = useCursor()
  const history = useQuery({
    queryKey: ['history', uscc, cursor],
    queryFn: () =>
      ok(
        creditProfile.GET('/v1/enterprises/{uscc}/history', {
          params: { path: { uscc }, query: cursor === undefined ? {} : { cursor } },
        }),
      ),
  })
  return (
    <>
      <h2>{t('enterprise.history')}</h2>
      <ErrorBox error={history.error} />
      <ol className="timeline">
        {(history.data?.items ?? []).map((e) => (
          <li key={`${e.source}/${e.id}`}>
            <time dateTime={e.time}>{dateTime(e.time, i18n.language)}</time> · <strong>{e.type}</strong> ·{' '}
            <EventRef source={e.source} id={e.id} />
          </li>
        ))}
      </ol>
      <Pager next={(history.data as { next?: string } | undefined)?.next} />
    </>
  )
}
