#!/usr/bin/env node
// The jit-mapper command: runs the CLI bundle that `npm run build` writes to out/cli.
const { existsSync } = require('node:fs')
const { join, dirname } = require('node:path')

const entry = join(__dirname, '..', 'out', 'cli', 'index.cjs')
if (!existsSync(entry)) {
  process.stderr.write(`jit-mapper is not built yet: run \`npm run build\` in ${dirname(__dirname)}\n`)
  process.exit(2)
}
require(entry)
