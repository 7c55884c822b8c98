// Package folkeregisteret is a client for Skatteetaten's Folkeregisteret API:
// person look-up by rettighetspakke, with helpers that pick the current name,
// address and status and never reveal a protected address.
package folkeregisteret
