// Package old is served as example.org/new v1.1.0, a fork that replaces example.org/old v1.0.0
// (its go.mod keeps the old module path, as a replacement's must).
package old

func Name() string { return "new" }
