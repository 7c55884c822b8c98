package svarut

import (
	"fmt"
	"strings"
)

// Status is the state of a shipment in SvarUT, as the status search returns it.
// Every value of the v2 and v3 specs is a constant here.
type Status string

// The statuses of the v2 spec (ForsendelseStatus.status). The descriptions are
// KS's own (the status model of the KS Java client, svarut-rest-klient).
const (
	StatusMottatt         Status = "MOTTATT"          // Et kall mottatt på forsendelses-service. En id blir tildelt forsendelsen.
	StatusAkseptert       Status = "AKSEPTERT"        // Meldingen er validert og forsendelsesfil dannet.
	StatusKlarForMottak   Status = "KLAR_FOR_MOTTAK"  // Venter på at forsendelse skal bli lastet ned av mottaker.
	StatusVarslet         Status = "VARSLET"          // Et varsel om forsendelsen er sendt til varslingstjenesten.
	StatusLest            Status = "LEST"             // En forsendelse er lest når hele forsendelsesfilen er lastet ned av mottaker.
	StatusSendtPrint      Status = "SENDT_PRINT"      // Forsendelsen er blitt overført til printleverandør.
	StatusSendtDigitalt   Status = "SENDT_DIGITALT"   // Forsendelsen er mottatt og sendt slik den skal, men ikke lest; går aldri til print.
	StatusSendtSDP        Status = "SENDT_SDP"        // Forsendelsen er mottatt og sendt til Sikker digital postkasse.
	StatusLevertSDP       Status = "LEVERT_SDP"       // Leveringskvittering mottatt fra Sikker digital postkasse.
	StatusPrintet         Status = "PRINTET"          // Printkvittering mottatt fra printleverandør eller manuell print bekreftet.
	StatusAvvist          Status = "AVVIST"           // Forsendelsen er ikke validert pga. manglende/korrupt metadata, eller forsendelsesfil kunne ikke dannes.
	StatusIkkeLevert      Status = "IKKE_LEVERT"      // Kun digital leveranse hvor SvarUT ikke har klart å levere forsendelsen.
	StatusManueltHandtert Status = "MANUELT_HANDTERT" // Forsendelsen er manuelt avsluttet, f.eks. pga en feilsituasjon.
)

// The statuses the v3 spec adds (forsendelse-status-api-v3, still "under
// utvikling"). The spec lists them without descriptions; ours are read from
// the v3 send API (NHN delivery, deletion) and are marked as such.
const (
	StatusFeiletUnderMottak Status = "FEILET_UNDER_MOTTAK"
	StatusSlettet           Status = "SLETTET"
	StatusSendtNHNMottaker  Status = "SENDT_NHN_MOTTAKER"
	StatusLevertNHNMottaker Status = "LEVERT_NHN_MOTTAKER"
)

type statusInfo struct {
	desc                     string
	final, delivered, failed bool
	v3                       bool // only in the v3 spec
}

// statuses places every status: in progress (not final), or final and then
// delivered, failed or neither (SLETTET).
var statuses = map[Status]statusInfo{
	StatusMottatt:         {desc: "Et kall mottatt på forsendelses-service. En id blir tildelt forsendelsen."},
	StatusAkseptert:       {desc: "Meldingen er validert og forsendelsesfil dannet."},
	StatusKlarForMottak:   {desc: "Venter på at forsendelse skal bli lastet ned av mottaker."},
	StatusVarslet:         {desc: "Et varsel om forsendelsen er sendt til varslingstjenesten."},
	StatusSendtPrint:      {desc: "Forsendelsen er blitt overført til printleverandør."},
	StatusSendtDigitalt:   {desc: "Forsendelsen er motatt og sendt slik den skal. Ikke blitt lest enda. Forsendelser med denne status vil kun leveres digitalt, og vil aldri gå til print."},
	StatusSendtSDP:        {desc: "Forsendelsen er motatt og sendt til Sikker digital postkasse."},
	StatusLest:            {desc: "En forsendelse er lest når hele forsendelsesfilen er lastet ned av mottaker.", final: true, delivered: true},
	StatusLevertSDP:       {desc: "Forsendelsen er motatt og sendt til Sikker digital postkasse. Vi har motatt Leveringskvittering fra SDP. Forsendelsen skal da være tilgjengelig for mottaker.", final: true, delivered: true},
	StatusPrintet:         {desc: "Printkvittering mottatt fra printleverandør eller manuell print bekreftet(via webgrensesnitt).", final: true, delivered: true},
	StatusAvvist:          {desc: "Forsendelsen er ikke validert pga. manglende/korrupt metadata, eller fordi forsendelsesfil ikke kunne dannes.", final: true, failed: true},
	StatusIkkeLevert:      {desc: "Kun digital leveranse hvor vi ikke har klart å levere forsendelsen.", final: true, failed: true},
	StatusManueltHandtert: {desc: "Forsendelsen er manuelt avsluttet, f.eks. pga en feilsituasjon.", final: true, failed: true},

	StatusFeiletUnderMottak: {desc: "(v3, ingen beskrivelse i spesifikasjonen) Forsendelsen feilet under mottak i SvarUT.", final: true, failed: true, v3: true},
	StatusSlettet:           {desc: "(v3, ingen beskrivelse i spesifikasjonen) Forsendelsens filer er slettet.", final: true, v3: true},
	StatusSendtNHNMottaker:  {desc: "(v3, ingen beskrivelse i spesifikasjonen) Forsendelsen er sendt til mottaker via Norsk helsenett.", v3: true},
	StatusLevertNHNMottaker: {desc: "(v3, ingen beskrivelse i spesifikasjonen) Forsendelsen er levert til mottaker via Norsk helsenett.", final: true, delivered: true, v3: true},
}

// Statuses returns every known status, v2 first, in the order of the specs.
func Statuses() []Status {
	return []Status{
		StatusMottatt, StatusAkseptert, StatusAvvist, StatusVarslet, StatusLest, StatusSendtPrint,
		StatusPrintet, StatusManueltHandtert, StatusSendtDigitalt, StatusSendtSDP, StatusLevertSDP,
		StatusKlarForMottak, StatusIkkeLevert,
		StatusFeiletUnderMottak, StatusSlettet, StatusSendtNHNMottaker, StatusLevertNHNMottaker,
	}
}

// ParseStatus parses a status as SvarUT writes it. An unknown value gives an
// error wrapping ErrUnknownStatus (a newer SvarUT may add statuses).
func ParseStatus(s string) (Status, error) {
	st := Status(s)
	if _, ok := statuses[st]; ok {
		return st, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownStatus, truncate(s, 40))
}

// Known reports whether s is a status of the v2 or v3 spec.
func (s Status) Known() bool { _, ok := statuses[s]; return ok }

// Description is the spec's description of the status, in Norwegian.
func (s Status) Description() string { return statuses[s].desc }

// Final reports whether the status never changes again.
func (s Status) Final() bool { return statuses[s].final }

// Delivered reports whether the shipment reached its recipient: read, printed,
// or handed over to a digital mailbox that confirmed the delivery.
func (s Status) Delivered() bool { return statuses[s].delivered }

// Failed reports whether SvarUT gave up on the shipment: the sender must act
// (send it another way). IKKE_LEVERT and MANUELT_HANDTERT are among these.
func (s Status) Failed() bool { return statuses[s].failed }

// V3Only reports whether the status appears only in the v3 spec.
func (s Status) V3Only() bool { return statuses[s].v3 }

func (s Status) String() string { return string(s) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
