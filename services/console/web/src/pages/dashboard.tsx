import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { creditProfile, ingest, ok, recall } from '../api/client.js'
import { ErrorBox, Page } from '../components/ui.js'

interface Datum {
  readonly name: string
  readonly value: number
}

/** One chart and, for screen readers and exactness, the same figures as a table. */
const Chart = ({ title, data, unit = '' }: { title: string; data: readonly Datum[]; unit?: string }) => {
  const { t } = useTranslation()
  return (
    <figure>
      <figcaption>
        <h2>{title}</h2>
      </figcaption>
      {data.length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <>
          <div aria-hidden="true" style={{ width: '100%', height: 220 }}>
            <ResponsiveContainer>
              <BarChart data={[...data]} accessibilityLayer={false}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" />
                <YAxis allowDecimals={unit !== ''} />
                <Tooltip />
                <Bar dataKey="value" fill="#0b5cad" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table>
            <caption className="hint">{t('dashboard.table')}</caption>
            <tbody>
              {data.map((d) => (
                <tr key={d.name}>
                  <th scope="row">{d.name}</th>
                  <td>
                    {d.value}
                    {unit}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  )
}

/** `/regulator/dashboard`: enterprises by class, active listings, overdue obligations by region, on-time rates. */
export const Dashboard = () => {
  const { t } = useTranslation()
  const stats = useQuery({ queryKey: ['stats'], queryFn: () => ok(creditProfile.GET('/v1/stats')) })
  const agencies = useQuery({
    queryKey: ['agency-stats'],
    queryFn: () => ok(ingest.GET('/v1/agencies/stats')),
  })
  const overdue = useQuery({
    queryKey: ['overdue-by-region'],
    queryFn: async () => {
      const counts = new Map<string, number>()
      let cursor: string | undefined
      // The first 500 cases at most: a dashboard, not a report.
      for (let page = 0; page < 5; page++) {
        const res = await ok(
          recall.GET('/v1/recalls', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
        )
        for (const r of res.items) {
          const n = ((r.obligations ?? []) as { status?: string }[]).filter(
            (o) => o.status === 'overdue',
          ).length
          // USCC characters 3–8 are the registration authority's division code; 3–4 its province.
          const region = `${r.producer.uscc.slice(2, 4)}0000`
          if (n > 0) counts.set(region, (counts.get(region) ?? 0) + n)
        }
        cursor = (res as { next?: string }).next
        if (cursor === undefined) break
      }
      return [...counts].map(([name, value]) => ({ name, value }))
    },
  })
  const s = stats.data
  return (
    <Page title={t('dashboard.title')}>
      <ErrorBox error={stats.error ?? agencies.error ?? overdue.error} />
      {s === undefined ? null : (
        <p>
          {t('dashboard.enterprises')}: <strong data-testid="enterprises">{s.enterprises}</strong>
        </p>
      )}
      <div className="charts">
        {s === undefined ? null : (
          <>
            <Chart
              title={t('dashboard.byClass')}
              data={(['A', 'B', 'C', 'D'] as const).map((c) => ({ name: c, value: s.byRiskClass[c] }))}
            />
            <Chart
              title={t('dashboard.listings')}
              data={[
                { name: t('dashboard.abnormal'), value: s.abnormalActive },
                { name: t('dashboard.serious'), value: s.seriousActive },
              ]}
            />
          </>
        )}
        {overdue.data === undefined ? null : <Chart title={t('dashboard.overdue')} data={overdue.data} />}
        {agencies.data === undefined ? null : (
          <Chart
            title={t('dashboard.onTime')}
            unit="%"
            data={agencies.data.agencies.map((a) => ({
              name: a.agency,
              value: Math.round((a.onTimeRate ?? 0) * 1000) / 10,
            }))}
          />
        )}
      </div>
    </Page>
  )
}
