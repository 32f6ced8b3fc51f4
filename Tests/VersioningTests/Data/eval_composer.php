<?php
// Reads "cmp<TAB>a<TAB>b" or "range<TAB>constraint<TAB>version" lines; prints them with
// composer/semver's answer (normalised versions ordered by version_compare, Semver::satisfies).
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\Semver\VersionParser;
use Composer\Semver\Semver;
$p = new VersionParser();
while (($line = fgets(STDIN)) !== false) {
    [$kind, $x, $y] = explode("\t", rtrim($line, "\n"));
    try {
        if ($kind === 'cmp') {
            $r = version_compare($p->normalize($x), $p->normalize($y));
            echo "$x\t$y\t$r\n";
        } else {
            $p->parseConstraints($x);
            $p->normalize($y);
            echo "$x\t$y\t" . (Semver::satisfies($y, $x) ? 1 : 0) . "\n";
        }
    } catch (\Exception $e) {
        // not valid for Composer: left out of the table
    }
}
