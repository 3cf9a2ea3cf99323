// Parse .npmrc files with npm's own bundled `ini` module.
// stdin: a JSON array of base64 strings; stdout: a JSON array of parsed objects.
// Usage: node tests/npm_ini.js "$(npm root -g)/npm/node_modules/ini"
const ini = require(process.argv[2])
const chunks = []
process.stdin.on('data', (c) => chunks.push(c))
process.stdin.on('end', () => {
  const files = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const out = files.map((b64) => ini.parse(Buffer.from(b64, 'base64').toString('utf8')))
  process.stdout.write(JSON.stringify(out))
})
