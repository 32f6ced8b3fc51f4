// Command hello is the program of Drydock's Go binary fixtures: it links one module from a
// (local, file://) module proxy, one replaced by another module version, and one replaced by a
// local directory, so that its build info has every kind of dependency line.
package main

import (
	"os"

	"example.com/greet"
	"example.org/lib"
	"example.org/old"
)

func main() {
	os.Stdout.WriteString(greet.Hello(lib.Name()+" "+old.Name()) + "\n")
}
