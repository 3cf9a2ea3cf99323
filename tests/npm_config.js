// Load project .npmrc files with npm's own config loader (@npmcli/config)
// and print what npm resolves from each: the project's config data, and
// getCredentialsByURI for every registry the file names.
// stdin: JSON array of {cwd, env}; stdout: JSON array of {source, data, credentials}.
// Usage: node tests/npm_config.js "$(npm root -g)/npm"
const npmRoot = process.argv[2]
const Config = require(npmRoot + '/node_modules/@npmcli/config')
const { definitions, shorthands, flatten } = require(npmRoot + '/node_modules/@npmcli/config/lib/definitions')
const chunks = []
process.stdin.on('data', (c) => chunks.push(c))
process.stdin.on('end', async () => {
  const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const out = []
  for (const { cwd, env } of jobs) {
    const config = new Config({
      definitions, shorthands, flatten, npmPath: npmRoot,
      env: { ...env, HOME: '/nonexistent' },
      argv: ['node', 'npm', '--userconfig=/nonexistent/.npmrc', '--globalconfig=/nonexistent/npmrc'],
      cwd, platform: process.platform, execPath: process.execPath, warn: false,
    })
    await config.load()
    const d = config.data.get('project')
    // What npm authenticates with, registry by registry: the URIs the file
    // scopes credentials to, and the default registry.
    const uris = new Set(['https://registry.npmjs.org/'])
    for (const key of Object.keys(d.data)) {
      const m = /^(\/\/.*\/):_(authToken|auth|password|username)$/.exec(key)
      if (m) uris.add('https:' + m[1])
    }
    const credentials = {}
    for (const uri of [...uris].sort()) credentials[uri] = config.getCredentialsByURI(uri)
    out.push({ source: d.source, data: { ...d.data }, credentials })
  }
  process.stdout.write(JSON.stringify(out))
})
