// The oracle of tests/npm_verdict.rs: what npm itself would send from each
// project .npmrc, with every referenced variable set to a marker.
//
// stdin: a JSON array of jobs {file, cwd (or null), env, markers, sections
// (the [section] names in the file)}; stdout: a JSON array with, for each
// job, the pieces of credential material npm holds, each as
// {what, key, residue, decodesEmpty}:
//  - for every registry the file names (the default registry, `registry`,
//    `@scope:registry`, the nerf darts of credential keys), npm-registry-fetch's
//    own choice of credentials (`getAuth`, called with npm's flat options):
//    the token, `_auth`, or the `_password` beside a username;
//  - every credential key the file holds, chosen or not (`//host/:_authToken`,
//    `_auth`, `_password`; unscoped ones, which `npm config fix` would scope;
//    `_authtoken` in another case): committed all the same;
//  - the userinfo of every http(s) URL value, as `new URL()` reads it (what
//    minipass-fetch sends as basic auth): the password, or the username when
//    the URL has no password.
// Keys inside a [section] npm does not use; they are judged as if they were
// top-level (the secret is committed all the same), through the same loader
// functions. `residue` is what is left of a piece once every marker is
// removed; `decodesEmpty`: a `_password` whose residue decodes (base64, as
// npm decodes it) to nothing, so that nothing of it is sent.
//
// npm's whole loader (`new Config(...).load()`) costs some 6 ms a file, too
// slow for 10,000 files: every file goes through the steps the loader takes
// for a project file (`ini.parse`, then #loadObject: env-replace each key,
// parse-field each value, with the loader's own types and env; `flat` as the
// loader flattens its layers), and every job that names a `cwd` (a project
// folder holding the same file as `.npmrc`) also through the whole loader,
// whose answer must be the same (the script fails otherwise).
// Usage: node tests/npm_verdict.js "$(npm root -g)/npm"
const npmRoot = process.argv[2]
const Config = require(npmRoot + '/node_modules/@npmcli/config')
const { definitions, shorthands, flatten } = require(npmRoot + '/node_modules/@npmcli/config/lib/definitions')
const envReplace = require(npmRoot + '/node_modules/@npmcli/config/lib/env-replace.js')
const parseField = require(npmRoot + '/node_modules/@npmcli/config/lib/parse-field.js')
const getAuth = require(npmRoot + '/node_modules/npm-registry-fetch/lib/auth.js')
const ini = require(npmRoot + '/node_modules/ini')
const fs = require('fs')

const CRED = /^(?:.*:)?_(authToken|auth|password)$/
const MISCASED = /^(?:.*:)?_authtoken$/i

// Percent-decoding as the `url` crate's percent_decode_str: %XX with two hex
// digits becomes the byte, anything else stays.
const pctDecode = (s) => {
  const bytes = []
  const b = Buffer.from(s, 'utf8')
  for (let i = 0; i < b.length; i++) {
    const h = b.slice(i + 1, i + 3).toString('latin1')
    if (b[i] === 0x25 && /^[0-9a-fA-F]{2}$/.test(h)) {
      bytes.push(parseInt(h, 16))
      i += 2
    } else {
      bytes.push(b[i])
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

const newConfig = (cwd, env) => new Config({
  definitions, shorthands, flatten, npmPath: npmRoot,
  env: { ...env, HOME: '/nonexistent' },
  argv: ['node', 'npm', '--prefix=' + cwd, '--userconfig=/nonexistent/.npmrc', '--globalconfig=/nonexistent/npmrc'],
  cwd, platform: process.platform, execPath: process.execPath, warn: false,
})

// The pieces of credential material in one loaded project config: `data` and
// `raw` as the loader keeps them, `parse(value, key)` its parse-field, `env`
// its environment, `flat` its flat options.
const pieces = ({ data, raw, parse, env, flat }, markers, sections) => {
  const strip = (s) => {
    let t = String(s)
    for (const m of markers) t = t.split(m).join('')
    return t
  }
  const out = []
  const add = (what, key, sent, decode = false) => {
    if (sent === undefined || sent === null || sent === false || sent === true) return
    const residue = strip(sent)
    out.push({ what, key, residue, decodesEmpty: decode && Buffer.from(residue, 'base64').length === 0 })
  }
  // Top-level entries as npm loaded them; entries of each [section] through
  // the same steps (#loadObject: env-replace the key, parse-field the value).
  const entries = Object.entries(data)
  for (const name of sections) {
    const obj = (raw || {})[name]
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
      const at = entries.findIndex(([k]) => k === envReplace(name, env))
      if (at >= 0) entries.splice(at, 1)
      for (const [key, value] of Object.entries(obj)) {
        const k = envReplace(key, env)
        entries.push([k, parse(value, k)])
      }
    }
  }
  const uris = new Set(['https://registry.npmjs.org/'])
  for (const [key, value] of entries) {
    const m = CRED.exec(key)
    if (m) {
      add('key', key, value, m[1] === 'password')
      const nerf = /^(\/\/.*\/):_(authToken|auth|password)$/.exec(key)
      if (nerf) uris.add('https:' + nerf[1])
    } else if (MISCASED.test(key)) {
      add('key', key, value)
    }
    if ((key === 'registry' || /^@.*:registry$/.test(key)) && typeof value === 'string') {
      try { new URL(value); uris.add(value) } catch {}
    }
    // An array's elements, and the array as the string npm makes of it
    // (`key[]=` lines and JSON arrays look alike here).
    const candidates = Array.isArray(value)
      ? [String(value), ...value.map((v) => Array.isArray(v) ? String(v) : v)]
      : [value]
    for (const v of candidates) {
      if (typeof v !== 'string') continue
      // When a variable decides whether the value is an http(s) URL at all
      // (`${P}https://alice:pw@host/`), the URL it is with the variables
      // empty.
      const u = httpUrl(v) || httpUrl(strip(v))
      if (!u) continue
      if (u.password !== '') add('url', key, pctDecode(u.password))
      else if (u.username !== '') add('url', key, pctDecode(u.username))
    }
  }
  // npm-registry-fetch's own choice, for every registry the file names.
  for (const uri of [...uris].sort()) {
    let auth
    try { auth = getAuth(uri, flat) } catch { continue }
    if (auth.token) add('sent token', auth.regKey + ':_authToken', auth.token)
    else if (auth.auth && auth.isBasicAuth) add('sent password', auth.regKey + ':_password', flat[auth.regKey + ':_password'], true)
    else if (auth.auth) add('sent _auth', auth.regKey + ':_auth', auth.auth)
  }
  return out
}

const httpUrl = (s) => {
  try {
    const u = new URL(s)
    return (u.protocol === 'http:' || u.protocol === 'https:') ? u : null
  } catch { return null }
}

const chunks = []
process.stdin.on('data', (c) => chunks.push(c))
process.stdin.on('end', async () => {
  const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const base = newConfig('/nonexistent', {})
  await base.load()
  const baseFlat = base.flat
  const out = []
  for (const { file, cwd, env, markers, sections } of jobs) {
    const opts = { platform: base.platform, types: base.types, home: base.home, env: { ...env, HOME: '/nonexistent' } }
    const raw = ini.parse(fs.readFileSync(file, 'utf8'))
    const data = {}
    for (const [key, value] of Object.entries(raw)) {
      const k = envReplace(key, opts.env)
      data[k] = parseField(value, k, opts)
    }
    const fast = pieces({
      data, raw, env: opts.env, parse: (v, k) => parseField(v, k, opts), flat: flatten(data, { ...baseFlat }),
    }, markers, sections)
    if (cwd) {
      const config = newConfig(cwd, env)
      await config.load()
      const project = config.data.get('project')
      const whole = pieces({
        data: project.data, raw: project.raw, env: config.env, parse: (v, k) => config.parseField(v, k), flat: config.flat,
      }, markers, sections)
      if (JSON.stringify(whole) !== JSON.stringify(fast)) {
        process.stderr.write(`the loader and its steps differ on ${cwd}:\n${JSON.stringify(whole)}\n${JSON.stringify(fast)}\n`)
        process.exit(1)
      }
    }
    out.push(fast)
  }
  process.stdout.write(JSON.stringify(out))
})
