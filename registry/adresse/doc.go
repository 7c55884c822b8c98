// Package adresse is a client for Kartverket's open address API
// (ws.geonorge.no/adresser/v1): search (sok) with the documented parameters and
// paging, and addresses within a radius of a point (punktsok), with matrikkel
// numbers (gnr/bnr/fnr) and coordinates. No authentication is needed.
//
//	c := &adresse.Client{} // zero value: production API, in-memory cache
//	r, err := c.Sok(ctx, adresse.Query{Sok: "storgata 12 oslo"})
//	// The neighbours of a building, for a nabovarsel:
//	for a, err := range c.PunktsokAll(ctx, adresse.PunktQuery{Lat: 59.91458, Lon: 10.7559, Radius: 50}) {
//		...a.Matrikkel(), a.MeterDistanseTilPunkt...
//	}
//
// Input the API would refuse (a three-digit kommunenummer, more than 1000 hits
// a page) fails with registry.ErrInvalid before any request. Results are
// cached and shared: treat them as read-only.
package adresse
