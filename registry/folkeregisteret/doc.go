// Package folkeregisteret is a client for Skatteetaten's Folkeregisteret API
// (the konsumenttjenester' oppslag): person look-up by rettighetspakke with part
// selection, bulk look-up, and helpers that pick the current name, address and
// status and never reveal a protected address.
//
//	c := &folkeregisteret.Client{
//		Rettighetspakke: folkeregisteret.OffentligMedHjemmel,
//		HTTPClient:      maskinportenClient, // scope folkeregister:deling/offentligmedhjemmel
//	}
//	p, err := c.Person(ctx, fnr, folkeregisteret.PartNavn, folkeregisteret.PartPostadresse, folkeregisteret.PartBostedsadresse)
//	lines, err := p.Adresselinjer()
//	if errors.Is(err, folkeregisteret.ErrProtectedAddress) {
//		// fortrolig or strengt fortrolig: do not print it; send through a channel that keeps it hidden
//	}
//
// Every fact in a person document is a list of values, current and earlier;
// the helpers (GjeldendeNavn, GjeldendeStatus, GjeldendeBostedsadresse, ...)
// pick the one with erGjeldende. Asking for an address part always brings the
// adressebeskyttelse part along, and an address whose protection cannot be
// told is treated as protected. A Person prints only its redacted number and
// status, so a log line cannot leak a name or a protected address.
//
// Skatteetaten publishes the API's OpenAPI description on SwaggerHub only; this
// client follows the public documentation (github.com/Skatteetaten/
// folkeregisteret-api-dokumentasjon) and its examples, in testdata.
package folkeregisteret
