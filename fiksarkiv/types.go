package fiksarkiv

// The Fiks Arkiv V1 message types (the AMQP header type of a Fiks IO
// message). They are spelled with ASCII "oe" (ugyldigforespoersel), as the
// protocol requires; meldingstyper.json's "no.ks.fik." typo is not copied.
const (
	TypeArkivmeldingOpprett           = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
	TypeArkivmeldingOpprettMottatt    = TypeArkivmeldingOpprett + ".mottatt"
	TypeArkivmeldingOpprettKvittering = TypeArkivmeldingOpprett + ".kvittering"

	TypeArkivmeldingOppdater           = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.oppdater"
	TypeArkivmeldingOppdaterMottatt    = TypeArkivmeldingOppdater + ".mottatt"
	TypeArkivmeldingOppdaterKvittering = TypeArkivmeldingOppdater + ".kvittering"

	TypeUgyldigforespoersel = "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel"
	TypeServerfeil          = "no.ks.fiks.arkiv.v1.feilmelding.serverfeil"
	TypeIkkefunnet          = "no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet"
)

// Protocol is the Fiks Protokoll name an archive's account is listed under
// in the Fiks IO katalog (meldingProtokoll).
const Protocol = "no.ks.fiks.arkiv.v1"

// PayloadFile is the name of the XML file inside the ASiC-E of an
// arkivmelding (opprett and oppdater); KvitteringFile and FeilmeldingFile
// name the replies' payloads.
const (
	PayloadFile     = "arkivmelding.xml"
	KvitteringFile  = "arkivmelding-kvittering.xml"
	FeilmeldingFile = "feilmelding.xml"
)

// The XML namespaces of the V1 messages.
const (
	nsBase        = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/"
	NSOpprett     = nsBase + "arkivmelding/opprett/v1"
	NSOppdater    = nsBase + "arkivmelding/oppdater/v1"
	NSKvittering  = nsBase + "arkivmelding/opprett/kvittering/v1"
	NSMetadata    = nsBase + "metadatakatalog/v1"
	NSFeilmelding = nsBase + "feil/feilmelding/v1"

	nsUgyldigforespoersel = nsBase + "feil/ugyldigforespoersel/v1"
	nsServerfeil          = nsBase + "feil/serverfeil/v1"
	nsIkkefunnet          = nsBase + "feil/ikkefunnet/v1"

	nsXSI = "http://www.w3.org/2001/XMLSchema-instance"
)

// The message types of this slice: dokumentobjekt and avskrivning writes,
// and innsyn (sok, hent) with their results.
const (
	TypeDokumentobjektOpprett           = "no.ks.fiks.arkiv.v1.arkivering.dokumentobjekt.opprett"
	TypeDokumentobjektOpprettMottatt    = TypeDokumentobjektOpprett + ".mottatt"
	TypeDokumentobjektOpprettKvittering = TypeDokumentobjektOpprett + ".kvittering"

	TypeAvskrivningOpprett           = "no.ks.fiks.arkiv.v1.arkivering.avskrivning.opprett"
	TypeAvskrivningOpprettMottatt    = TypeAvskrivningOpprett + ".mottatt"
	TypeAvskrivningOpprettKvittering = TypeAvskrivningOpprett + ".kvittering"

	TypeAvskrivningSlett           = "no.ks.fiks.arkiv.v1.arkivering.avskrivning.slett"
	TypeAvskrivningSlettMottatt    = TypeAvskrivningSlett + ".mottatt"
	TypeAvskrivningSlettKvittering = TypeAvskrivningSlett + ".kvittering"

	TypeSok                = "no.ks.fiks.arkiv.v1.innsyn.sok"
	TypeSokResultatUtvidet = TypeSok + ".resultat.utvidet"
	TypeSokResultatMinimum = TypeSok + ".resultat.minimum"
	TypeSokResultatNoekler = TypeSok + ".resultat.noekler"

	TypeMappeHent                = "no.ks.fiks.arkiv.v1.innsyn.mappe.hent"
	TypeMappeHentResultat        = TypeMappeHent + ".resultat"
	TypeRegistreringHent         = "no.ks.fiks.arkiv.v1.innsyn.registrering.hent"
	TypeRegistreringHentResultat = TypeRegistreringHent + ".resultat"
	TypeDokumentfilHent          = "no.ks.fiks.arkiv.v1.innsyn.dokumentfil.hent"
	TypeDokumentfilHentResultat  = TypeDokumentfilHent + ".resultat"
)

// The payload file names of this slice's messages (meldingstyper.json's
// payloadFilnavn).
const (
	DokumentobjektFile           = "dokumentobjekt-opprett.xml"
	DokumentobjektKvitteringFile = "dokumentobjekt-kvittering.xml"
	AvskrivningFile              = "avskrivning-opprett.xml"
	AvskrivningSlettFile         = "avskrivning-slett.xml"
	SokFile                      = "sok.xml"
	ResultatFile                 = "resultat.xml"
	MappeHentFile                = "mappe-hent.xml"
	MappeHentResultatFile        = "mappe.xml"
	RegistreringHentFile         = "registrering-hent.xml"
	RegistreringHentResultatFile = "registrering.xml"
	DokumentfilHentFile          = "dokumentfil-hent.xml"
)

// The namespaces of this slice's messages.
const (
	NSDokumentobjekt           = nsBase + "dokumentobjekt/opprett/v1"
	NSDokumentobjektKvittering = nsBase + "dokumentobjekt/opprett/kvittering/v1"
	NSAvskrivning              = nsBase + "avskrivning/opprett/v1"
	NSAvskrivningSlett         = nsBase + "avskrivning/slett/v1"
	NSSok                      = nsBase + "sok/v1"
	NSSokResultatUtvidet       = nsBase + "sokeresultat/utvidet/v1"
	NSSokResultatMinimum       = nsBase + "sokeresultat/minimum/v1"
	NSSokResultatNoekler       = nsBase + "sokeresultat/noekler/v1"
	NSMappeHent                = nsBase + "mappe/hent/v1"
	NSMappeHentResultat        = nsBase + "mappe/hent/resultat/v1"
	NSRegistreringHent         = nsBase + "registrering/hent/v1"
	NSRegistreringHentResultat = nsBase + "registrering/hent/resultat/v1"
	NSDokumentfilHent          = nsBase + "dokumentfil/hent/v1"
	NSArkivstruktur            = nsBase + "arkivstruktur/v1"
	NSArkivstrukturMinimum     = nsBase + "arkivstruktur/minimum/v1"
	NSArkivstrukturNoekler     = nsBase + "arkivstruktur/noekler/v1"
)
