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
