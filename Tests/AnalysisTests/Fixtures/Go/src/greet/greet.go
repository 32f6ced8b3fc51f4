// Package greet is a local-directory module (replace example.com/greet => ../greet).
package greet

func Hello(who string) string { return "hello, " + who }
