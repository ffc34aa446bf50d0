// Entry point of `npm run token`: prints a local HS256 token for the given role, nothing else.
import { signToken } from '../auth.js'
import { parseTokenArgs, usage } from './token-args.js'

const args = process.argv.slice(2)
const request = parseTokenArgs(args, process.env)
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${usage}\n`)
} else if ('error' in request) {
  process.stderr.write(`${request.error}\n\n${usage}\n`)
  process.exitCode = 2
} else {
  process.stdout.write(`${await signToken(request.claims, request.secret, request.ttlSeconds)}\n`)
}
