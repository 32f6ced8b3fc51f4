// Package lib is served by the fixture's file:// module proxy as example.org/lib v1.2.3.
package lib

func Name() string { return "lib" }
