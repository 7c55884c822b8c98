// Package badkey lists keys that no store can hold, for the conformance
// suites: what a URL such as /sak/%00 or /sak/%ff decodes to. PostgreSQL text
// is UTF-8 without NUL, so these name nothing, and every store must answer
// them as unknown (its not-found error, or an empty list), never fail.
package badkey

// Keys returns the keys: NUL alone and inside an id, bytes that are not
// UTF-8, a truncated sequence and an encoded surrogate.
func Keys() []string {
	return []string{"\x00", "d1\x00", "\xff", "\xfe\xff", "%ff\xff", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80", "Ærlig\x00AS"}
}

// Texts returns text a citizen can type that every store must keep exactly
// as it is: emoji, right-to-left and bidi overrides, U+2028, combining marks,
// CJK, control characters other than NUL, and U+FFFD itself. The strings of
// Keys, used as values, are what a store must refuse with its invalid-text
// error instead.
func Texts() []string {
	return []string{"Bar 🍺", "👩🏽‍🍳", "مرحبا بالعالم", "\u202eevil\u202c.pdf", "\u2066x\u2069", "linje\u2028skille\u2029",
		"e\u0301\u0308", "酒吧", "tab\tny\nlinje\r\x01\x1b\x7f", "\uFFFD", "\ufeff", "\U0010FFFF", `"\u0000\\`}
}
