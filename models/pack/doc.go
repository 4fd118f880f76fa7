// Package pack builds the quarterly review pack that is printed for the
// board: the portfolio's savings, service levels, risks (as the register
// stood at the quarter's end and what moved in it), transfers, lessons,
// decisions and actions, and each engagement's section; and publishes it,
// freezing a quarter's pack as a numbered version (later corrections are
// new versions, the earlier stay readable).
package pack
