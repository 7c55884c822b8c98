// Package archivetest generates synthetic, deterministic Noark 5 case data for
// tests, benchmarks and `grunnmur archive demo`: building permits (byggesak)
// and liquor licences (skjenkebevilling) with correspondence parties, some
// screened records, change-log entries and small generated PDF files.
//
//	ex := archivetest.Extract()
//	sum, err := archive.Write(ctx, dir, ex, archive.Options{NewID: archivetest.IDs(1)},
//		archivetest.Cases(archivetest.Config{Cases: 100, DocsPerCase: 1, Seed: 1}))
//
// The same Config always gives the same cases, byte for byte.
package archivetest
