// Reads "cmp<TAB>a<TAB>b" or "range<TAB>range<TAB>version" lines; prints them with node-semver's answer.
let semver
semver = require('semver')  // Debian's node-semver, found through NODE_PATH=/usr/share/nodejs
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean)
for (const line of lines) {
  const [kind, x, y] = line.split('\t')
  if (kind === 'cmp') {
    if (semver.valid(x) === null || semver.valid(y) === null) continue
    console.log(`${x}\t${y}\t${semver.compare(x, y)}`)
  } else {
    if (semver.validRange(x) === null || semver.valid(y) === null) continue
    console.log(`${x}\t${y}\t${semver.satisfies(y, x) ? 1 : 0}`)
  }
}
