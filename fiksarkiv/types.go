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
