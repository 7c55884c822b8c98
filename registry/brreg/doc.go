// Package brreg is a client for Enhetsregisteret (Brønnøysundregistrene): look-up
// and search of enheter and underenheter, roles, the updates feed, and whether a
// person may act for an organisation.
package brreg
