// What npm sends to each registry a project names, with a given user config:
// loads the config with npm's own loader (@npmcli/config) and, for every
// registry setting (registry, @scope:registry), the Authorization npm would
// send: from credentials in the URL (minipass-fetch sends them as the URL
// spells them), else from getCredentialsByURI.
// stdin: JSON array of {cwd, userconfig}; stdout: JSON array of objects
// registry URL (without credentials) → Authorization.
// Usage: node tests/npm_move.js "$(npm root -g)/npm"
const npmRoot = process.argv[2]
const Config = require(npmRoot + '/node_modules/@npmcli/config')
const { definitions, shorthands, flatten } = require(npmRoot + '/node_modules/@npmcli/config/lib/definitions')
const chunks = []
process.stdin.on('data', (c) => chunks.push(c))
process.stdin.on('end', async () => {
  const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const out = []
  for (const { cwd, userconfig } of jobs) {
    const config = new Config({
      definitions, shorthands, flatten, npmPath: npmRoot,
      env: { HOME: '/nonexistent' },
      argv: ['node', 'npm', '--userconfig=' + userconfig, '--globalconfig=/nonexistent/npmrc'],
      cwd, platform: process.platform, execPath: process.execPath, warn: false,
    })
    await config.load()
    const keys = new Set(['registry'])
    for (const where of ['project', 'user']) {
      for (const k of Object.keys(config.data.get(where).data)) if (/^@[^:]+:registry$/.test(k)) keys.add(k)
    }
    const res = {}
    for (const k of [...keys].sort()) {
      const u = new URL(config.get(k))
      let auth = null
      if (u.username || u.password) {
        auth = 'Basic ' + Buffer.from(`${u.username}:${u.password}`).toString('base64')
        u.username = ''; u.password = ''
      } else {
        const c = config.getCredentialsByURI(u.href)
        auth = c.token ? 'Bearer ' + c.token : c.auth ? 'Basic ' + c.auth : null
      }
      res[k + ' ' + u.href] = auth
    }
    out.push(res)
  }
  process.stdout.write(JSON.stringify(out))
})
