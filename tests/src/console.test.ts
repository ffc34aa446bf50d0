import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AxeBuilder } from '@axe-core/playwright'
import { signToken, LOCAL_DEV_SECRET } from '@ecrs/http'
import { randomUscc, repoRoot, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureChromium } from '../../infra/bin/chromium.mjs'
import { startConsoleStack } from './console/processes.js'

// The console in a real browser (Debian's chromium driven by playwright-core) against the real
// services as processes: each role's journey of contract §11, axe on every page visited.
const infra = testInfra()
const ns = uniqueName('console').replace(/[^a-z0-9.-]/g, '')
const AGENCY = 'samr.console'
const suffix = ns.slice(-6)
const firmD = randomUscc()
const firmR = randomUscc()
const firmP = randomUscc()
const recallR = `rc-pub-${suffix}`
const recallP = `rc-plan-${suffix}`
const product = `儿童安全座椅${suffix}`
const shots = process.env['CONSOLE_SCREENSHOTS'] === '1'

let stack: Awaited<ReturnType<typeof startConsoleStack>>
let browser: Browser
let page: Page
let base = ''
const problems: string[] = []

const publish = async (token: string, event: Record<string, unknown>) => {
  const res = await fetch(`${stack.urls.ingest}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source: AGENCY, ...event }),
  })
  expect(res.status, await res.clone().text()).toBe(202)
}
// Playwright's auto-waiting (waitFor) and vitest's polling: no sleeps.
const visible = (l: Locator) => l.first().waitFor({ state: 'visible', timeout: 20_000 })
const text = (l: Locator, re: RegExp | string, timeout = 20_000) =>
  expect
    .poll(async () => ((await l.count()) > 0 ? await l.first().innerText() : ''), { timeout, interval: 100 })
    .toMatch(re)

const ago = (days: number, s = 0) => new Date(Date.now() - days * 86_400_000 + s * 1000).toISOString()

/** axe on the page as it is: no serious or critical violation; a screenshot when asked for. */
const check = async (name: string) => {
  await page.waitForLoadState('networkidle')
  const result = await new AxeBuilder({ page }).analyze()
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    name,
  ).toEqual([])
  expect(page.url()).not.toMatch(/token|eyJ/)
  if (shots) await page.screenshot({ path: join(repoRoot, 'docs', 'console', `${name}.png`), fullPage: true })
}

const signInAs = async (role: string, field?: { label: RegExp; value: string }) => {
  await page.goto(`${base}/sign-in`)
  await page.getByLabel('角色').selectOption(role)
  if (field) await page.getByLabel(field.label).fill(field.value)
  await page.getByRole('button', { name: '登录' }).last().click()
}

beforeAll(async () => {
  const executablePath = ensureChromium()
  stack = await startConsoleStack(infra, ns)
  base = stack.console.url
  const agency = await signToken({ sub: 'seed', role: 'agency', agency: AGENCY }, LOCAL_DEV_SECRET, 3600)
  const reg = (uscc: string, name: string) =>
    publish(agency, {
      id: `reg-${uscc}`,
      type: 'enterprise.registered',
      subject: uscc,
      time: ago(400),
      data: { name, registeredAt: ago(400).slice(0, 10), region: '210102' },
    })
  await Promise.all([
    reg(firmD, `丁类企业${suffix}`),
    reg(firmR, `召回企业${suffix}`),
    reg(firmP, `计划企业${suffix}`),
  ])
  await publish(agency, {
    id: `sl-${suffix}`,
    type: 'serious-list.entered',
    subject: firmD,
    time: ago(30),
    data: { listingId: `SL-${suffix}`, basis: 'false-registration' },
  })
  const recallData = {
    product: { name: product, category: 'consumer-product', model: 'X1' },
    unitsAffected: 1200,
    hazard: '卡扣断裂',
  }
  await publish(agency, {
    id: `ri-${suffix}`,
    type: 'recall.initiated',
    subject: firmR,
    time: ago(20),
    data: { recallId: recallR, ...recallData },
  })
  await publish(agency, {
    id: `rp-${suffix}`,
    type: 'recall.plan-submitted',
    subject: firmR,
    time: ago(19),
    data: { recallId: recallR, remedy: 'replace' },
  })
  await publish(agency, {
    id: `ra-${suffix}`,
    type: 'recall.plan-accepted',
    subject: firmR,
    time: ago(18),
    data: { recallId: recallR },
  })
  await publish(agency, {
    id: `rn-${suffix}`,
    type: 'recall.notice-published',
    subject: firmR,
    time: ago(17),
    data: { recallId: recallR },
  })
  await publish(agency, {
    id: `ri2-${suffix}`,
    type: 'recall.initiated',
    subject: firmP,
    time: ago(1),
    data: { recallId: recallP, ...recallData },
  })
  const regulator = await signToken({ sub: 'seed', role: 'regulator' }, LOCAL_DEV_SECRET, 3600)
  const get = (url: string) => fetch(url, { headers: { authorization: `Bearer ${regulator}` } })
  await waitFor(
    async () =>
      (
        (await (await get(`${stack.urls['credit-profile']}/v1/enterprises/${firmD}`)).json()) as {
          risk?: { class: string }
        }
      ).risk?.class === 'D',
    { what: 'class D', timeoutMs: 60_000, intervalMs: 250 },
  )
  await waitFor(
    async () =>
      (
        (await (
          await fetch(`${stack.urls.recall}/v1/public/recalls?q=${encodeURIComponent(product)}`)
        ).json()) as { items: unknown[] }
      ).items.length > 0,
    { what: 'published recall', timeoutMs: 60_000, intervalMs: 250 },
  )
  await waitFor(async () => (await get(`${stack.urls.recall}/v1/recalls/${recallP}`)).status === 200, {
    what: 'recall to plan',
    timeoutMs: 60_000,
    intervalMs: 250,
  })
  await waitFor(
    async () => (await get(`${stack.urls['credit-profile']}/v1/enterprises/${firmR}`)).status === 200,
    { what: 'firm R', timeoutMs: 60_000, intervalMs: 250 },
  )
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } })
  page = await context.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('the console in a browser', () => {
  it('serves OpenAPI documents equal to the committed snapshots', async () => {
    for (const [name, url] of Object.entries(stack.urls)) {
      const served = await (await fetch(`${url}/openapi.json`)).json()
      const snapshot = JSON.parse(
        await readFile(join(repoRoot, 'services', 'console', 'openapi', `${name}.json`), 'utf8'),
      ) as unknown
      expect(served, `${name}: run services/console/scripts/openapi-snapshot.mjs`).toEqual(snapshot)
    }
  })

  it('lets the public find an enterprise, a recall and inspection results', async () => {
    await page.goto(base)
    await visible(page.getByRole('heading', { level: 1, name: '企业信用信息查询' }))
    await check('public-lookup')
    await page.getByLabel('统一社会信用代码或企业名称').fill(firmR)
    await page.getByRole('button', { name: '查询' }).click()
    await visible(page.getByRole('heading', { level: 1, name: `召回企业${suffix}` }))
    await check('public-enterprise')
    await page.getByRole('link', { name: '召回公示' }).click()
    await page.getByLabel('产品名称、型号、生产者名称或代码').fill(product)
    await page.getByRole('button', { name: '查询' }).click()
    await visible(page.getByRole('cell', { name: product }))
    await check('public-recalls')
    await page.getByRole('link', { name: '双随机抽查' }).click()
    await text(page.getByRole('heading', { level: 1 }), /双随机/)
    await check('public-inspections')
  })

  it('lets a regulator find a class D firm, follow a factor to its event and change asOf', async () => {
    await signInAs('regulator')
    await visible(page.getByRole('heading', { level: 1, name: '企业检索' }))
    await page.getByLabel('风险分类').selectOption('D')
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByRole('link', { name: `丁类企业${suffix}` }).click()
    await text(page.getByTestId('risk-class'), /^D/)
    await check('regulator-profile')
    await page.getByLabel('查询日期（asOf）').fill(ago(100).slice(0, 10))
    await expect.poll(() => page.url()).toMatch(/asOf=/)
    // Before the serious listing (30 days ago) the class is not D.
    await text(page.getByTestId('risk-class'), /^[ABC] /)
    await page.getByLabel('查询日期（asOf）').fill(ago(0).slice(0, 10))
    await text(page.getByTestId('risk-class'), /^D/)
    await page
      .getByRole('row', { name: /serious-list-active/ })
      .getByRole('link')
      .first()
      .click()
    await text(page.getByTestId('event-status'), 'applied')
    await check('event-status')
    await page.getByRole('link', { name: '召回案件' }).click()
    await visible(page.getByRole('link', { name: recallR }))
    await check('regulator-recalls')
    await page.getByRole('link', { name: '统计看板' }).click()
    await visible(page.getByTestId('enterprises'))
    await check('regulator-dashboard')
  })

  it('shows a firm its obligation due date and takes its plan through the form', async () => {
    await page.getByRole('button', { name: '退出' }).click()
    await signInAs('firm', { label: /企业统一社会信用代码/, value: firmP })
    const due = page.locator('[data-testid^="due-"]').first()
    await text(due, /\d{4}-\d{2}-\d{2} · \d+ 个工作日/)
    await check('firm-home')
    await page.getByRole('link', { name: recallP }).click()
    await text(page.getByTestId('recall-status'), 'initiated')
    const plan = page.getByRole('form', { name: '召回计划' })
    await plan.getByLabel('措施').selectOption('repair')
    await plan.getByLabel('摘要').fill('免费更换卡扣')
    await plan.getByRole('button', { name: '提交' }).click()
    await text(plan.getByRole('status'), '已提交')
    await expect
      .poll(
        async () => {
          await page.reload()
          return page.getByTestId('recall-status').innerText()
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('plan-submitted')
    await check('firm-recall')
    await page.getByRole('link', { name: '信用修复' }).click()
    await check('firm-repair')
  })

  it('shows an agency the field error beside the field, then a 500-row batch with its verdicts', async () => {
    await page.getByRole('button', { name: '退出' }).click()
    await signInAs('agency', { label: /机构编号/, value: AGENCY })
    await visible(page.getByRole('heading', { level: 1, name: '发布事件' }))
    await page.getByLabel('事件类型').selectOption('penalty.decided')
    await page.getByLabel(/企业统一社会信用代码/).fill('NOT-A-USCC')
    await page.getByLabel(/^decisionNo/).fill(`PD-${suffix}`)
    await page.getByRole('checkbox', { name: 'fine' }).check()
    await page.getByLabel(/^domain/).selectOption('food')
    await page.getByLabel(/^fineAmount/).fill('-5')
    await page.getByRole('button', { name: '提交' }).click()
    await visible(page.locator('#f-subject-error'))
    await visible(page.locator('#f-data-fineAmount-error'))
    await check('agency-publish')
    await page.getByLabel(/企业统一社会信用代码/).fill(firmD)
    await page.getByLabel(/^fineAmount/).fill('5000')
    await page.getByRole('button', { name: '提交' }).click()
    await text(page.getByRole('status'), '已受理')

    await page.getByRole('link', { name: '批量上传' }).click()
    const rows = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({
        id: `batch-${suffix}-${i}`,
        type: 'enterprise.registered',
        subject: i === 7 ? 'BAD' : randomUscc(),
        time: ago(10),
        data: { name: `批量企业${i}`, registeredAt: ago(10).slice(0, 10), region: '210102' },
      }),
    )
    await page.getByLabel('文件（NDJSON 或 CSV）').setInputFiles({
      name: 'batch.ndjson',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(rows.join('\n')),
    })
    await page.getByRole('button', { name: '上传' }).click()
    await text(page.getByTestId('batch-summary'), '受理 499，重复 0，拒绝 1', 60_000)
    await text(page.getByTestId('batch-progress-text'), '500/500')
    await expect.poll(() => page.locator('tbody tr').count()).toBe(500)
    await visible(page.getByRole('row', { name: /^8 batch-.*-7 rejected/ }))
    await check('agency-batch')
    await page.getByRole('link', { name: '抽查任务' }).click()
    await check('agency-inspections')
    await page.getByRole('link', { name: '订阅' }).click()
    await check('agency-subscriptions')
  })

  it('remembers the language, and only the language, across visits', async () => {
    await page.getByLabel('语言').selectOption('en')
    await visible(page.getByRole('heading', { level: 1, name: 'Change subscriptions' }))
    await page.reload()
    await visible(page.getByRole('heading', { level: 1, name: 'Change subscriptions' }))
    expect(await page.evaluate('Object.keys(localStorage)')).toEqual(['ecrs.console.lang'])
    await page.getByLabel('Language').selectOption('zh-CN')
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN')
  })

  it('sends the user back to sign-in with the reason when an API answers 401', async () => {
    await page.evaluate(
      `sessionStorage.setItem('ecrs.console.session', ${JSON.stringify(JSON.stringify({ token: 'e30.e30.bad', role: 'regulator', sub: 'x' }))})`,
    )
    await page.goto(`${base}/regulator/search`)
    await expect.poll(() => page.url(), { timeout: 20_000 }).toMatch(/\/sign-in$/)
    await text(page.getByRole('alert'), '已退出登录')
    await check('sign-in')
    expect(problems.filter((p) => !/401|Failed to load resource/.test(p))).toEqual([])
  })
})
