package devenv

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksarkiv/fiksarkivtest"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/secret"
)

// ArchiveKvitteringDelay is how long the sandbox's archive takes between
// mottatt and kvittering: long enough that an officer sees the case wait
// for its numbers, short enough not to wait for them.
const ArchiveKvitteringDelay = 2 * time.Second

// startArchive starts the fake archive system (fiksarkivtest, as Public
// 360 through Fiks Arkiv) on an account of its own on the Fiks IO fake,
// serving until Close. GRUNNMUR_FIKSARKIV_KONTO_ID then names its account.
func (e *Env) startArchive(o Options, fk *fiksiotest.Server, base string) error {
	ctx := context.Background()
	encKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("devenv: %w", err)
	}
	signKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("devenv: %w", err)
	}
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	encCert, err := selfSigned(encKey, "grunnmur dev arkiv", now)
	if err != nil {
		return err
	}
	signCert, err := selfSigned(signKey, "grunnmur dev arkiv signing", now)
	if err != nil {
		return err
	}
	a, err := fk.AddAccount(ctx, fiksiotest.Account{KontoNavn: "grunnmur dev arkiv", FiksOrgNavn: "Eksempelkommune arkiv",
		FiksOrgID: uuid.New(), OrgNr: AgencyOrgnr, Certificate: encCert, Protokoller: []string{fiksarkiv.Protocol},
		IntegrasjonID: uuid.New(), IntegrasjonPassord: secret.New(rand.Text())})
	if err != nil {
		return fmt.Errorf("devenv: %w", err)
	}
	ts, err := e.IDPorten.MaskinportenSource("devenv-arkiv-"+a.KontoID.String(), AgencyOrgnr, nil, fiksio.Scope)
	if err != nil {
		return fmt.Errorf("devenv: %w", err)
	}
	c, err := fiksio.New(fiksio.Config{BaseURL: base, AMQPURL: fk.AMQPURL(), AllowPlainAMQP: true,
		KontoID: a.KontoID.String(), IntegrasjonID: a.IntegrasjonID.String(), IntegrasjonPassord: a.IntegrasjonPassord,
		Maskinporten: ts, Keys: []crypto.Decrypter{encKey}, Workers: 4, ApplicationName: "grunnmur-dev-arkiv",
		Signer: asice.Signer{Certificate: signCert, Key: signKey, Now: o.Now}, Now: o.Now, Logger: o.Logger})
	if err != nil {
		return fmt.Errorf("devenv: %w", err)
	}
	e.Archive = fiksarkivtest.New(fiksarkivtest.Config{FiksIO: c, KvitteringDelay: ArchiveKvitteringDelay, Now: o.Now, Logger: o.Logger})
	e.Credentials.FiksArkivKontoID = a.KontoID.String()
	actx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := e.Archive.Serve(actx); err != nil {
			e.log.Warn("devenv: the fake archive stopped", "error", err)
		}
	}()
	e.stopArchive = func() { cancel(); <-done }
	return nil
}
