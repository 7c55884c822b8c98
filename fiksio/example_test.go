package fiksio_test

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/secret"
)

// New checks the whole configuration and names each mistake.
func ExampleNew() {
	_, err := fiksio.New(fiksio.Config{
		AMQPURL:            "amqp://io.fiks.test.ks.no:5672",
		KontoID:            "not-a-uuid",
		IntegrasjonID:      uuid.NewString(),
		IntegrasjonPassord: secret.New("hemmelig"),
	})
	fmt.Println(errors.Is(err, fiksio.ErrConfig))
	fmt.Println(err)
	// Output:
	// true
	// fiksio: bad configuration: AMQPURL is amqp:// (unencrypted); use amqps://, or set AllowPlainAMQP for a local fake
	// fiksio: bad configuration: KontoID is not a UUID
	// fiksio: bad configuration: Maskinporten is required
}

// ParseHeaders reads a delivery as the protocol has it; the receiver comes
// from the routing key and custom headers lose their prefix.
func ExampleParseHeaders() {
	m, err := fiksio.ParseHeaders("fiksio.konto.5f2a0c5e-1111-4c0b-9d2e-7e3f4a5b6c7d", map[string]any{
		"melding-id":                          "c7d4f2a1-2222-4e3a-8b1c-0a9b8c7d6e5f",
		"type":                                "no.ks.fiks.kvittering.tidsavbrudd",
		"avsender-id":                         "0b7ba4a4-6a4b-4d50-8a31-5d1e0c0f0a01",
		"svar-til":                            "9d1c2b3a-3333-4f5e-9a8b-7c6d5e4f3a2b",
		"svar-til-type":                       "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett",
		"egendefinert-header.klientMeldingId": "sak-2026-17-1",
		"egendefinert-header.klientKorrelasjonsId": "sak-2026-17",
	}, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Type)
	fmt.Println("to", m.MottakerKontoID, "answering", m.SvarPaMelding)
	fmt.Println(m.SvarTilType, m.KlientMeldingID(), m.KlientKorrelasjonsID())

	_, err = fiksio.ParseHeaders("fiksio.konto.5f2a0c5e-1111-4c0b-9d2e-7e3f4a5b6c7d", map[string]any{"type": "x"}, "")
	fmt.Println(errors.Is(err, fiksio.ErrHeader), err)
	// Output:
	// no.ks.fiks.kvittering.tidsavbrudd
	// to 5f2a0c5e-1111-4c0b-9d2e-7e3f4a5b6c7d answering 9d1c2b3a-3333-4f5e-9a8b-7c6d5e4f3a2b
	// no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett sak-2026-17-1 sak-2026-17
	// true fiksio: malformed message headers: melding-id: missing
}

// A reply goes to the sender, answers the message and keeps the
// conversation's klientKorrelasjonsId.
func ExampleReceived_Reply() {
	m, _ := fiksio.ParseHeaders("fiksio.konto.5f2a0c5e-1111-4c0b-9d2e-7e3f4a5b6c7d", map[string]any{
		"melding-id":  "c7d4f2a1-2222-4e3a-8b1c-0a9b8c7d6e5f",
		"type":        "no.ks.fiks.arkiv.v1.innsyn.sok",
		"avsender-id": "0b7ba4a4-6a4b-4d50-8a31-5d1e0c0f0a01",
		"egendefinert-header.klientKorrelasjonsId": "k-1",
	}, "")
	r := m.Reply("no.ks.fiks.arkiv.v1.innsyn.sok.resultat", nil)
	fmt.Println(r.Mottaker, r.SvarPaMelding, r.Headers[fiksio.KlientKorrelasjonsID])
	// Output:
	// 0b7ba4a4-6a4b-4d50-8a31-5d1e0c0f0a01 c7d4f2a1-2222-4e3a-8b1c-0a9b8c7d6e5f k-1
}
