// Reads "cmp<TAB>a<TAB>b" or "pseudo<TAB>v<TAB>" lines; prints them with golang.org/x/mod's answer
// (semver.Compare, module.IsPseudoVersion). Built by gen_tools.py with Debian's golang-golang-x-mod-dev.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Split(in.Text(), "\t")
		if len(f) < 3 {
			continue
		}
		switch f[0] {
		case "cmp":
			if semver.IsValid(f[1]) && semver.IsValid(f[2]) {
				fmt.Printf("%s\t%s\t%d\n", f[1], f[2], semver.Compare(f[1], f[2]))
			}
		case "pseudo":
			if semver.IsValid(f[1]) {
				p := 0
				if module.IsPseudoVersion(f[1]) {
					p = 1
				}
				fmt.Printf("%s\t%d\n", f[1], p)
			}
		}
	}
}
