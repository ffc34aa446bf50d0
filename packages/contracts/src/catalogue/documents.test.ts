import { describe, it, expect } from 'vitest'
import { createAjv } from '../envelope.js'
import { topicNames } from '../topics.js'
import { asyncApiDocument, dataSchemaDocument } from './documents.js'
import { eventTypes, type EventType } from './specs.js'
import { exampleEvent } from './testing/examples.js'

type Json = Record<string, unknown>
const topics = topicNames('test')
const doc = asyncApiDocument(topics, { version: '1.2.3' })
const channels = doc['channels'] as Record<string, Json>
const messages = (doc['components'] as { messages: Record<string, Json> }).messages

describe('asyncApiDocument', () => {
  it('is an AsyncAPI 3.0.0 document with the given version', () => {
    expect(doc).toMatchObject({ asyncapi: '3.0.0', info: { version: '1.2.3' } })
  })

  it('has a channel per topic at the given addresses', () => {
    const addresses = Object.values(channels).map((c) => c['address'])
    expect(addresses.sort()).toEqual(Object.values(topics).sort())
  })

  it.each(eventTypes)('has a message for %s with its data schema, ce_* headers and key', (type) => {
    const message = messages[type]
    expect(message).toMatchObject({
      name: type,
      payload: { type: 'object' },
      headers: { properties: { ce_type: { const: type }, ce_id: {}, 'correlation-id': {} } },
      bindings: { kafka: { key: { type: 'string' } } },
    })
  })

  it('lists each event message in exactly one event channel and in its send operation', () => {
    const enterprise = Object.keys(channels['enterpriseEvents']?.['messages'] as Json)
    const recall = Object.keys(channels['recallEvents']?.['messages'] as Json)
    expect([...enterprise, ...recall].sort()).toEqual([...eventTypes].sort())
    expect(recall).toContain('recall.initiated')
    expect(enterprise).toContain('recall.status-changed')
    const operations = doc['operations'] as Record<string, { action: string; messages: unknown[] }>
    expect(operations['sendEnterpriseEvents']).toMatchObject({ action: 'send' })
    expect(operations['sendEnterpriseEvents']?.messages).toHaveLength(enterprise.length)
    expect(operations['receiveOutcomes']).toMatchObject({ action: 'receive' })
  })

  it('describes the outcome message', () => {
    expect(messages['outcome']).toMatchObject({
      payload: {
        required: expect.arrayContaining(['source', 'id', 'type', 'consumer', 'status', 'at']) as unknown,
        properties: { status: { enum: ['applied', 'rejected'] }, reason: { type: 'string' } },
      },
    })
  })

  it('describes the profile changes: their channel, message (the change record, keyed by USCC) and send operation', () => {
    expect(channels['profileChanges']).toMatchObject({
      address: topics.changes,
      messages: { profileChange: { $ref: '#/components/messages/profile-change' } },
    })
    const message = messages['profile-change']
    expect(message).toMatchObject({
      payload: {
        title: 'ECRS profile change record',
        required: expect.arrayContaining(['uscc', 'time', 'changes', 'changeIds']) as unknown,
      },
      bindings: { kafka: { key: { type: 'string' } } },
    })
    // The payload is the schema fromChangeRecord validates with.
    const validate = createAjv().compile(message?.['payload'] as Json)
    const change = { kind: 'abnormal-listed', listingId: 'L1', reason: 'unreachable-at-address' }
    const record = {
      uscc: '91350100M000100Y43',
      name: 'Fuzhou Acme Ltd',
      region: '350102',
      enterpriseKind: 'company',
      time: '2025-07-01T16:00:00.000Z',
      changes: [change],
      changeIds: ['x'],
    }
    expect(validate(record), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ ...record, changes: [] })).toBe(false)
    const operations = doc['operations'] as Record<string, Json>
    expect(operations['sendProfileChanges']).toMatchObject({
      action: 'send',
      channel: { $ref: '#/channels/profileChanges' },
      messages: [{ $ref: '#/channels/profileChanges/messages/profileChange' }],
    })
  })

  it('is plain JSON, and a fresh copy each time', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc)
    const again = asyncApiDocument(topics, { version: '1.2.3' })
    ;(again['info'] as Json)['version'] = 'changed'
    expect(asyncApiDocument(topics, { version: '1.2.3' })).toEqual(doc)
  })
})

describe('dataSchemaDocument', () => {
  it('is undefined for an unknown type', () => {
    expect(dataSchemaDocument('penalty.forgiven')).toBeUndefined()
  })

  it.each(eventTypes)('for %s compiles and agrees with validateEvent on the example', (type) => {
    const schema = dataSchemaDocument(type)!
    expect(schema).toMatchObject({ properties: { type: { const: type }, data: { type: 'object' } } })
    const validate = createAjv().compile(schema)
    expect(validate(exampleEvent(type as EventType)), JSON.stringify(validate.errors)).toBe(true)
    expect(validate(exampleEvent(type as EventType, { type: 'penalty.revoked', data: {} }))).toBe(false)
  })

  it('carries the conditional rules', () => {
    const validate = createAjv().compile(dataSchemaDocument('penalty.decided')!)
    const noFine = exampleEvent('penalty.decided', {
      data: { decisionNo: 'D', measures: ['fine'], domain: 'food' },
    })
    expect(validate(noFine)).toBe(false)
  })
})
