module example.com/hello

go 1.19

require (
	example.com/greet v0.0.0
	example.org/lib v1.2.3
	example.org/old v1.0.0
)

replace example.com/greet => ../greet

replace example.org/old v1.0.0 => example.org/new v1.1.0
