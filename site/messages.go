package site

import (
	"net/url"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
)

// Common are the texts every example shows alike: the layout's, the
// organisation look-up's ("org." and a code of brreg.HTTPStatus, but for the
// service's own org.deleted and org.may_not_act; an unexpected failure,
// org.internal, reads as org.unavailable) and the error pages'. A service's
// Messages fall back to them.
var Common = Messages{
	// The skip link and the error summary's heading read as on the forms'
	// pages: one wording in every service.
	"skip":              fromForms("skipToContent"),
	"errors.title":      fromForms("errorSummary"),
	"nav.main":          {"nb": "Hovedmeny", "nn": "Hovudmeny", "en": "Main menu"},
	"nav.lang":          {"nb": "Språk", "nn": "Språk", "en": "Language"},
	"logout":            {"nb": "Logg ut", "nn": "Logg ut", "en": "Log out"},
	"footer":            {"nb": "Eksempelkommune – et eksempel bygd med grunnmur. Ingen ekte data.", "nn": "Eksempelkommune – eit døme bygt med grunnmur. Ingen ekte data.", "en": "Example municipality – an example built with grunnmur. No real data."},
	"error":             {"nb": "Feil", "nn": "Feil", "en": "Error"},
	"org.invalid_orgnr": {"nb": "Organisasjonsnummeret må være 9 siffer og gyldig.", "nn": "Organisasjonsnummeret må vere 9 siffer og gyldig.", "en": "The organisation number must be 9 digits and valid."},
	"org.not_found":     {"nb": "Vi finner ingen virksomhet med dette organisasjonsnummeret i Enhetsregisteret.", "nn": "Vi finn inga verksemd med dette organisasjonsnummeret i Einingsregisteret.", "en": "No business with this organisation number is in the Central Coordinating Register."},
	"org.unavailable":   {"nb": "Enhetsregisteret svarer ikke akkurat nå. Prøv igjen om litt.", "nn": "Einingsregisteret svarar ikkje akkurat no. Prøv igjen om litt.", "en": "The Central Coordinating Register does not answer right now. Try again shortly."},
	"org.internal":      {"nb": "Enhetsregisteret svarer ikke akkurat nå. Prøv igjen om litt.", "nn": "Einingsregisteret svarar ikkje akkurat no. Prøv igjen om litt.", "en": "The Central Coordinating Register does not answer right now. Try again shortly."},
	"org.inactive":      {"nb": "Virksomheten er konkurs eller under avvikling i Enhetsregisteret.", "nn": "Verksemda er konkurs eller under avvikling i Einingsregisteret.", "en": "The business is bankrupt or being wound up according to the Central Coordinating Register."},
	"err.401":           {"nb": "Innloggingen mislyktes", "nn": "Innlogginga mislukkast", "en": "The login failed"},
	"err.401.text":      {"nb": "Vi fikk ikke logget deg inn. Prøv igjen.", "nn": "Vi fekk ikkje logga deg inn. Prøv igjen.", "en": "We could not log you in. Try again."},
	"err.404":           {"nb": "Fant ikke siden", "nn": "Fann ikkje sida", "en": "Page not found"},
	"err.404.text":      {"nb": "Siden finnes ikke, eller du har ikke tilgang til den.", "nn": "Sida finst ikkje, eller du har ikkje tilgang til ho.", "en": "The page does not exist, or you have no access to it."},
	"err.500":           {"nb": "Noe gikk galt", "nn": "Noko gjekk gale", "en": "Something went wrong"},
	"err.500.text":      {"nb": "Vi klarte ikke å fullføre det du ba om. Prøv igjen om litt.", "nn": "Vi klarte ikkje å fullføre det du bad om. Prøv igjen om litt.", "en": "We could not complete your request. Try again shortly."},
	"err.home":          {"nb": "Til forsiden", "nn": "Til framsida", "en": "To the front page"},
	"loggedout":         {"nb": "Du er logget ut", "nn": "Du er logga ut", "en": "You are logged out"},
	"login.cancelled": {"nb": "Du avbrøt innloggingen. Du kan logge inn igjen når du vil.", "nn": "Du avbraut innlogginga. Du kan logge inn igjen når du vil.",
		"en": "You cancelled the login. You can log in again whenever you like."},
}

// AfterCancel is the auth.Manager's AfterCancel of every example: a person
// who cancels at ID-porten or Ansattporten is back on the start page,
// which shows login.cancelled (StartNotice).
const AfterCancel = "/?avbrutt=1"

// StartNotice is the key of the short message the start page shows after
// a logout or a cancelled login, or "".
func StartNotice(q url.Values) string {
	switch {
	case q.Has("loggedout"):
		return "loggedout"
	case q.Has("avbrutt"):
		return "login.cancelled"
	}
	return ""
}

// fromForms is one of forms' own texts (forms.Message) in every language.
func fromForms(key string) map[i18n.Lang]string {
	t := map[i18n.Lang]string{}
	for _, l := range i18n.All {
		t[l] = forms.Message(key, l)
	}
	return t
}
