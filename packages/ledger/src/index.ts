/**
 * The idempotency ledger shared by every door that publishes events (contract §5, §7): ingest's
 * `POST /v1/events` and the recall commands judge a (`source`, `id`) against the same entries, so
 * a key is accepted once whichever door saw it first.
 */
export { acceptEvents, candidateHash, type AcceptDeps, type Candidate, type Verdict } from './accept.js'
export { ledger, ledgerKey, type Ledger, type LedgerEntry } from './ledger.js'
export { toRecord } from './records.js'
