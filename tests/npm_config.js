// Load project .npmrc files with npm's own config loader (@npmcli/config)
// and print what npm resolves from each.
// stdin: JSON array of {cwd, env}; stdout: JSON array of {source, data}.
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
    out.push({ source: d.source, data: { ...d.data } })
  }
  process.stdout.write(JSON.stringify(out))
})
