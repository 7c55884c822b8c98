// Package grunnmur is the root of the grunnmur SDK: the building blocks that every
// Norwegian municipal e-service needs, as importable Go packages.
//
// The root package holds no code. Import the package for the part you need:
//
//	import (
//		"github.com/grunnmur/grunnmur/ident"
//		"github.com/grunnmur/grunnmur/auth/idporten"
//		"github.com/grunnmur/grunnmur/booking"
//	)
//
// Every client package has a sibling fake in the style of net/http/httptest
// (auth/idportentest, payment/vippstest, svarut/svaruttest, ...), and every
// domain Store has an in-memory default and a PostgreSQL implementation in
// package postgres. See README.md for the package table.
package grunnmur
