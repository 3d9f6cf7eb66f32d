module cfpexample

go 1.19

require cfp v0.0.0

replace cfp => ../../bindings/go
