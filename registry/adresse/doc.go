// Package adresse is a client for Kartverket's address API: search with paging,
// and addresses near a coordinate, with matrikkel numbers and coordinates.
package adresse
