// Package seed fills an empty database with a portfolio: the demo (Demo), a
// few dozen engagements with a history dated from the clock, and the scale
// portfolio (Scale) of up to tens of thousands of engagements that the load
// harness and benchmarks measure. The server calls Demo at a first start
// outside production; nothing on a request's path imports this package.
package seed
