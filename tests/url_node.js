// Read a JSON array of strings on stdin; print, for each, what Node's
// `new URL()` makes of it: null when it throws, else [href, username, password].
const chunks = []
process.stdin.on('data', (c) => chunks.push(c))
process.stdin.on('end', () => {
  const out = JSON.parse(Buffer.concat(chunks).toString('utf8')).map((s) => {
    try { const u = new URL(s); return [u.href, u.username, u.password] } catch { return null }
  })
  process.stdout.write(JSON.stringify(out))
})
